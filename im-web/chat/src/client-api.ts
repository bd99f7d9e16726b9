import type { MagpieClient } from '@magpie/sdk';

/**
 * The SDK's round-2 API as the page uses it (conversation state, typing, presence, friends; see
 * im-web/sdk/README.md): the page reaches it through {@link round2}, so a change of the SDK's shapes is met here.
 */
export type { Friend, FriendRequest, Presence } from '@magpie/sdk';

/** The round-2 methods of client (the client itself: they are MagpieClient's own). */
export function round2(client: MagpieClient): MagpieClient {
  return client;
}
