import type { Channels, SendRequest } from '../../runtime/ports.js';
import type { SendReceipt } from '../../runtime/types.js';

/** Options for {@link recordingChannels}. */
export interface RecordingChannelsOptions {
  /**
   * Make a send fail: return (or throw) an Error for the requests that should fail.
   * Failed sends are recorded in `failures`, not in `sent`.
   */
  readonly fail?: (request: SendRequest) => Error | undefined | void;
}

/** A Channels port that records every send, for tests. */
export interface RecordingChannels extends Channels {
  /** Every successful send call, in order (a retried visit appears once per successful call). */
  readonly sent: SendRequest[];
  /** Every failed send call, in order. */
  readonly failures: Array<{ readonly request: SendRequest; readonly error: Error }>;
  /** The distinct idempotency keys delivered, in first-delivery order. */
  keys(): string[];
  /** Sends to one customer, in order. */
  to(customerId: string): SendRequest[];
  clear(): void;
}

/**
 * Channels that deliver nowhere and remember what they were asked to send.
 *
 * @example
 * const channels = recordingChannels();
 * // … run the engine …
 * expect(channels.to('c1').map((s) => s.channelId)).toEqual(['ch_email']);
 */
export function recordingChannels(options: RecordingChannelsOptions = {}): RecordingChannels {
  const sent: SendRequest[] = [];
  const failures: Array<{ request: SendRequest; error: Error }> = [];
  let counter = 0;
  return {
    sent,
    failures,
    async send(request): Promise<SendReceipt> {
      let error: Error | undefined | void;
      try {
        error = options.fail?.(request);
      } catch (thrown) {
        error = thrown instanceof Error ? thrown : new Error(String(thrown));
      }
      if (error) {
        failures.push({ request, error });
        throw error;
      }
      sent.push(request);
      counter += 1;
      return { messageId: `msg_${counter}` };
    },
    keys() {
      return [...new Set(sent.map((s) => s.idempotencyKey))];
    },
    to(customerId) {
      return sent.filter((s) => s.customer.id === customerId);
    },
    clear() {
      sent.length = 0;
      failures.length = 0;
    },
  };
}
