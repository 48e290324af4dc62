/**
 * Identifiers and timestamps in the formats API Gateway uses for WebSocket APIs.
 */
import { randomBytes } from 'node:crypto';

/**
 * A new API Gateway-style id (connection id, request id, message id): 11 random bytes in base64url
 * with its `=` padding kept, i.e. 16 characters ending in `=`, like `R1kmxc2VNjMCFIA=`.
 */
export function newGatewayId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `epochMs` in Common Log Format as `requestContext.requestTime` carries it: `20/Jan/2024:11:55:00 +0000`. */
export function commonLogFormatTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number): string => String(value).padStart(2, '0');
  const month = MONTHS[date.getUTCMonth()] ?? 'Jan';
  return (
    `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An `X-Amzn-Trace-Id` header value in the X-Ray format `Root=1-{epoch hex}-{24 hex}`. */
export function newTraceId(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(12).toString('hex')}`;
}
