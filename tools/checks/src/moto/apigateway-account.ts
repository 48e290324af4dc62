/**
 * API Gateway's account settings (UpdateAccount, `PATCH /account`). Clearing the CloudWatch role,
 * as `terraform destroy` does with the provider's reset_on_delete, is a `replace` operation with
 * no value (https://docs.aws.amazon.com/apigateway/latest/api/API_PatchOperation.html: "value"
 * is optional). moto fails such an operation with a 500, which the provider retries without end,
 * so here an operation without a value gets an empty one, which moto stores as no role.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callMoto, parseObject, readBody } from './http.ts';

/** `PATCH /account`: API Gateway's UpdateAccount, the one call answered here. */
export function isUpdateAccount(request: IncomingMessage, path: string): boolean {
  return request.method === 'PATCH' && path === '/account';
}

/**
 * Passes an UpdateAccount call on to moto, with an empty value for each operation that has none.
 * @param target - moto's base URL
 */
export async function answerUpdateAccount(
  request: IncomingMessage,
  response: ServerResponse,
  target: URL,
): Promise<void> {
  const input = parseObject(await readBody(request));
  const operations = Array.isArray(input.patchOperations)
    ? (input.patchOperations as Record<string, unknown>[])
    : [];
  const completed = {
    ...input,
    patchOperations: operations.map((operation) => ({ value: '', ...operation })),
  };
  const answer = await callMoto(
    target,
    request,
    'PATCH',
    Buffer.from(JSON.stringify(completed), 'utf8'),
  );
  response.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json' });
  response.end(answer.body);
}
