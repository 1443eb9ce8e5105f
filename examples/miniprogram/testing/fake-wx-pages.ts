import type { WxPageApi, WxReLaunchOption, WxShowModalOption } from '../wx-api';

/**
 * The runtime's modal and navigation for page tests: the user's answers to the coming modals are
 * queued in `answers` (a modal with none left is cancelled); what was shown and opened is kept.
 */
export class FakeWxPages implements WxPageApi {
  readonly answers: boolean[] = [];
  readonly modals: WxShowModalOption[] = [];
  readonly relaunched: string[] = [];

  showModal(option: WxShowModalOption): void {
    this.modals.push(option);
    const confirm = this.answers.shift() ?? false;
    setTimeout(() => option.success?.({ confirm, cancel: !confirm }), 1);
  }

  reLaunch(option: WxReLaunchOption): void {
    this.relaunched.push(option.url);
    setTimeout(() => option.success?.(), 1);
  }
}

/** What `Page()` does with the options, as far as handlers see it: `data` plus `setData`. */
export function mountPage<P extends { data: object }>(
  options: P,
): P & { setData(patch: Partial<P['data']>): void } {
  const page = { ...options, data: { ...options.data } };
  return Object.assign(page, {
    setData(patch: Partial<P['data']>) {
      page.data = { ...page.data, ...patch };
    },
  });
}
