/** Command codes of the frame header (docs/PROTOCOL.md §6). */
export const Command = {
  LOGIN: 1,
  LOGIN_ACK: 2,
  PING: 3,
  PONG: 4,
  SEND: 5,
  SEND_ACK: 6,
  PUSH: 7,
  PUSH_ACK: 8,
  SYNC: 9,
  SYNC_ACK: 10,
  PULL: 11,
  PULL_ACK: 12,
  READ: 13,
  READ_ACK: 14,
  RECALL: 15,
  RECALL_ACK: 16,
  DELETE: 17,
  DELETE_ACK: 18,
  CLEAR: 19,
  CLEAR_ACK: 20,
  KICK: 21,
  RECONNECT: 22,
  ERROR: 23,
  LOGOUT: 24,
  NOTICE: 25,
  TYPING: 26,
  GROUP: 27,
  GROUP_ACK: 28,
  PRESENCE: 29,
  PRESENCE_ACK: 30,
  REACT: 31,
  REACT_ACK: 32,
  EDIT: 33,
  EDIT_ACK: 34,
} as const;

export type CommandName = keyof typeof Command;

const NAMES = new Map<number, CommandName>(
  (Object.entries(Command) as [CommandName, number][]).map(([name, code]) => [code, name]),
);

/** The command's name, or `UNKNOWN(<code>)`. */
export function commandName(code: number): string {
  return NAMES.get(code) ?? `UNKNOWN(${code})`;
}

/** Error codes (docs/PROTOCOL.md §8). Unknown codes are handled by their `retryable` flag. */
export const ErrorCode = {
  BAD_MAGIC: 1001,
  UNSUPPORTED_VERSION: 1002,
  FRAME_TOO_LARGE: 1003,
  UNKNOWN_COMMAND: 1004,
  BAD_REQUEST: 1005,
  WRONG_STATE: 1006,
  NOT_SUPPORTED: 1007,
  INVALID_TOKEN: 2001,
  LOGIN_TIMEOUT: 2002,
  FORBIDDEN: 2003,
  NOT_FOUND: 2004,
  CLIENT_MSG_ID_REUSED: 2005,
  RECALL_WINDOW_PASSED: 2006,
  BLOCKED: 2007,
  NOT_FRIEND: 2008,
  NOT_ADMIN: 2010,
  NOT_OWNER: 2011,
  MEMBER_MUTED: 2012,
  GROUP_MUTED: 2013,
  GROUP_FULL: 2014,
  BLOCKED_BY_USER: 2015,
  JOIN_NOT_ALLOWED: 2016,
  OWNER_CANNOT_LEAVE: 2017,
  APP_NOT_SERVED: 2018,
  MUTED: 2019,
  CONTENT_REJECTED: 2020,
  HOOK_REJECTED: 2021,
  MENTION_ALL_NOT_ALLOWED: 2030,
  REACTION_LIMIT: 2031,
  EDIT_WINDOW_PASSED: 2032,
  MENTION_ALL_LIMITED: 2033,
  RATE_LIMITED: 3001,
  SERVER_BUSY: 3002,
  INTERNAL: 3003,
  SLOW_CONSUMER: 3004,
} as const;

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** The error code's name, or `UNKNOWN_<code>`. */
export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `UNKNOWN_${code}`;
}
