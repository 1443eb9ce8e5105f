import { loadServiceBundle } from './service-bundle';

loadServiceBundle().startService();
