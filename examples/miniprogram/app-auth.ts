import { AuthClient } from './auth-client';
import type { WxApi } from './wx-api';

// What the mini-program runtime provides; this line is right with or without miniprogram-api-typings.
declare const wx: WxApi;

/** The app's one client: every page imports this instance, so they share its login and refresh. */
export const auth = new AuthClient({ wx, baseUrl: 'https://api.example.com' });
