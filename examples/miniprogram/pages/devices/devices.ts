import { auth } from '../../app-auth';
import type { WxPageApi } from '../../wx-api';
import { devicesPage, type DevicesData, type PageView } from './devices-page';

// What the mini-program runtime provides; right with or without miniprogram-api-typings.
declare const wx: WxPageApi;
declare function Page<D>(
  options: { data: D } & Record<string, unknown> & ThisType<PageView<D>>,
): void;

Page<DevicesData>(devicesPage({ auth, wx, loginPage: '/pages/login/login' }));
