/**
 * Route 53 calls the apply test makes itself, before Terraform runs: the hosted zone a custom
 * domain lives in belongs to its owner, not to the stack.
 */

/**
 * Creates a public hosted zone in moto, answering as Route 53's CreateHostedZone does
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_CreateHostedZone.html).
 * @param endpoint - moto's (or the front's) base URL
 * @param name - the zone's domain, e.g. `example.test`
 * @returns the zone's ID without its `/hostedzone/` prefix, as route53_zone_id takes it
 * @throws Error when moto refuses the request or answers without an ID
 */
export async function createHostedZone(endpoint: string, name: string): Promise<string> {
  const response = await fetch(new URL('/2013-04-01/hostedzone', endpoint), {
    method: 'POST',
    headers: {
      'content-type': 'application/xml',
      // moto picks the service from the signature's credential scope and checks nothing else.
      authorization:
        'AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/route53/aws4_request, ' +
        'SignedHeaders=host, Signature=0',
    },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>' +
      '<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
      `<Name>${name}.</Name><CallerReference>awsome-chat-${Date.now()}</CallerReference>` +
      '</CreateHostedZoneRequest>',
  });
  const body = await response.text();
  const id = /<Id>\/hostedzone\/([A-Z0-9]+)<\/Id>/.exec(body)?.[1];
  if (!response.ok || id === undefined) {
    throw new Error(`CreateHostedZone ${name} failed (HTTP ${response.status}): ${body}`);
  }
  return id;
}
