import {
  Command,
  FLAG_DRAINING,
  MAX_REQUEST_ID,
  MESSAGE_LEVEL_ID,
  PROTOCOL_VERSION,
  Status,
} from './constants.js';
import { type DecodeError, failPacket, invalid } from './decode-error.js';
import type { Packet } from './envelope.js';
import {
  bodyBytes,
  type DecodeLimits,
  isMetadata,
  isOptionalString,
  isUint,
  MAX_DEADLINE_MS,
  MAX_METHOD_LENGTH,
  MAX_STATUS,
} from './limits.js';

/**
 * Validates the fields of one envelope (as msgpackr decodes it). Returns the
 * packet, or an error that names the offending field. Exported as the
 * reference the fast reader (read-packet.ts) is tested against.
 *
 * Fields are read by index, not destructured: destructuring goes through the
 * array iterator.
 */
export function toPacket(env: unknown[], body: Buffer[], limits: DecodeLimits): Packet | DecodeError {
  const cmd = env[0];
  // Position 2 is the request id for every command that has one (and, by the
  // same convention, for commands this version does not know); use it for
  // error replies whenever it is a valid id. HEARTBEAT and DISCONNECT carry
  // other fields there, so their errors concern the whole message.
  const id =
    cmd !== Command.HEARTBEAT && cmd !== Command.DISCONNECT && isUint(env[2], MAX_REQUEST_ID)
      ? env[2]
      : MESSAGE_LEVEL_ID;

  switch (cmd) {
    case Command.REQUEST: {
      const rid = env[2];
      const method = env[3];
      const deadlineMs = env[4];
      const meta = env[5];
      const contentType = env[6];
      if (!isUint(rid, MAX_REQUEST_ID) || rid === MESSAGE_LEVEL_ID) return invalid(id, cmd, 'id');
      if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH)
        return invalid(id, cmd, 'method');
      if (!isUint(deadlineMs, MAX_DEADLINE_MS)) return invalid(id, cmd, 'deadline_ms');
      if (!isMetadata(meta)) return invalid(id, cmd, 'meta');
      if (!isOptionalString(contentType)) return invalid(id, cmd, 'content_type');
      if (bodyBytes(body) > limits.maxBodyBytes) {
        return failPacket(
          cmd,
          'TOO_LARGE',
          rid,
          Status.TOO_LARGE,
          `request body exceeds ${limits.maxBodyBytes} bytes`,
        );
      }
      return {
        cmd,
        id: rid,
        method,
        deadlineMs,
        meta: meta ?? undefined,
        contentType: contentType ?? undefined,
        body,
      };
    }
    case Command.REPLY: {
      const rid = env[2];
      const status = env[3];
      const message = env[4];
      const details = env[5];
      const meta = env[6];
      const contentType = env[7];
      if (!isUint(rid, MAX_REQUEST_ID)) return invalid(id, cmd, 'id');
      if (!isUint(status, MAX_STATUS)) return invalid(id, cmd, 'status');
      if (!isOptionalString(message)) return invalid(id, cmd, 'message');
      if (!isMetadata(meta)) return invalid(id, cmd, 'meta');
      if (!isOptionalString(contentType)) return invalid(id, cmd, 'content_type');
      if (bodyBytes(body) > limits.maxBodyBytes) {
        return failPacket(
          cmd,
          'TOO_LARGE',
          rid,
          Status.TOO_LARGE,
          `reply body exceeds ${limits.maxBodyBytes} bytes`,
        );
      }
      return {
        cmd,
        id: rid,
        status,
        message: message ?? undefined,
        details: details ?? undefined,
        meta: meta ?? undefined,
        contentType: contentType ?? undefined,
        body,
      };
    }
    case Command.CANCEL: {
      const rid = env[2];
      if (!isUint(rid, MAX_REQUEST_ID) || rid === MESSAGE_LEVEL_ID) return invalid(id, cmd, 'id');
      return { cmd, id: rid };
    }
    case Command.HEARTBEAT: {
      const intervalMs = env[2];
      const liveness = env[3];
      const flags = env[4];
      if (!isUint(intervalMs, 3_600_000) || intervalMs === 0) return invalid(id, cmd, 'interval_ms');
      if (!isUint(liveness, 1000) || liveness === 0) return invalid(id, cmd, 'liveness');
      if (flags != null && !isUint(flags, 0xffff_ffff)) return invalid(id, cmd, 'flags');
      // Unknown flag bits are ignored, so later versions can add their own.
      return { cmd, intervalMs, liveness, draining: ((flags ?? 0) & FLAG_DRAINING) !== 0 };
    }
    case Command.DISCONNECT: {
      const reason = env[2];
      if (!isOptionalString(reason)) return invalid(id, cmd, 'reason');
      return { cmd, reason: reason ?? undefined };
    }
    default:
      return failPacket(
        cmd as number,
        'UNKNOWN_COMMAND',
        id,
        Status.UNSUPPORTED,
        `unknown command ${String(cmd)}; protocol version ${PROTOCOL_VERSION} knows commands 1-5`,
      );
  }
}
