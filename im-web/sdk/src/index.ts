export {
  AccountApi, LsbApi, guessMimeType, type Session, type GateAddress, type MediaSource, type MediaUrls, type UploadedMedia,
} from './account.js';
export { MagpieError } from './errors.js';
export { MemoryStore, IndexedDbStore, type ClientStore, type StoredMessage } from './store.js';
export { encodeFrame, encodeMessage, decodeBody, FrameDecoder, FrameError, toHex, fromHex, type Frame } from './codec.js';
export { Command, commandName, ErrorCode, errorName } from './commands.js';
export { Backoff } from './backoff.js';
export type { WebSocketLike, WebSocketFactory } from './connection.js';
export type { Message, Conversation, GroupEventView, MediaView, ReplyView, ReactionView } from './model.js';
export * as proto from './gen/client_pb.js';
export {
  MagpieClient, defaultStore, deviceIdOf, type MagpieOptions, type ConnectionState, type Outgoing,
  type TypingEvent, type FriendsEvent, type Target, type SendOptions, type MediaSendOptions, type ReactResult,
  type EditResult,
} from './client.js';
export { ConversationSequencer, type PullRange, type SequencerOutput } from './sequencer.js';
export { toMessage, singleConversationId, uuid, mediaIdOf } from './model.js';
export {
  Friends, type Friend, type FriendRequest, type Block, type Presence, type PresenceSetting,
} from './people.js';
export {
  Groups, MAX_GROUP_UIDS, type GroupAckInfo, type GroupInfo, type GroupMember, type GroupJoinRequest,
  type GroupNoticeEvent, type GroupOp,
} from './groups.js';
