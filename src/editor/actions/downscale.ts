/**
 * @file The downscale offer: an image over the size limit is not refused outright; the user is asked whether to
 * downscale it. The question is state (the dialog shows it); the answer comes back to whoever asked as a promise.
 */
import type { DownscaleOffer } from '../state';
import type { ActionContext } from './context';

export interface DownscaleActions {
  /**
   * Shows the offer and resolves with the answer: true to downscale, false for Cancel. One offer at a time: a new
   * one answers the one before it with false.
   */
  offerDownscale(offer: DownscaleOffer): Promise<boolean>;
  answerDownscale(accept: boolean): void;
}

export function createDownscaleActions(ctx: ActionContext<DownscaleActions>): DownscaleActions {
  const { set } = ctx;
  // The resolver lives here, not in the state: the state stays plain data that the UI renders.
  let answer: ((accept: boolean) => void) | null = null;
  const settle = (accept: boolean) => {
    const resolve = answer;
    answer = null;
    set({ downscaleOffer: null });
    resolve?.(accept);
  };
  return {
    offerDownscale(offer) {
      settle(false);
      set({ downscaleOffer: offer });
      return new Promise((resolve) => {
        answer = resolve;
      });
    },
    answerDownscale: settle,
  };
}
