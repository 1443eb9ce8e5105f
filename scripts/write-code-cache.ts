import { loadServiceBundle, writeCodeCache } from '../src/service-bundle';

// Loading the bundle runs every module's top level, which compiles it; starting is not needed.
writeCodeCache(loadServiceBundle().createCodeCache());
