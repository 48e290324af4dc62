// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are route selection expressions, not JavaScript templates
/**
 * Route selection on its own: the selection expression evaluated against a frame, and the route
 * the value picks (docs/apigw-websocket.md, "Route selection").
 */
import { describe, expect, it } from 'vitest';
import { compileRouteSelectionExpression, selectRoute } from '../src/route-selection.ts';

describe('compileRouteSelectionExpression', () => {
  const byAction = compileRouteSelectionExpression('$request.body.action');

  it.each([
    ['a string', '{"action":"sendmessage"}', 'sendmessage'],
    ['a number, stringified', '{"action":5}', '5'],
    ['a boolean, stringified', '{"action":true}', 'true'],
    ['an object, as JSON', '{"action":{"a":1}}', '{"a":1}'],
    ['an array, as JSON', '{"action":["x","y"]}', '["x","y"]'],
    ['null, as unresolved', '{"action":null}', ''],
    ['a missing key', '{"message":"hi"}', ''],
    ['a frame that is not JSON', 'hello there', ''],
    ['JSON that is not an object', '"sendmessage"', ''],
    ['an inherited key', '{"__proto__":{"action":"x"}}', ''],
  ])('evaluates $request.body.action on %s', (_name, frame, expected) => {
    // Act
    const value = byAction(frame);
    // Assess
    expect(value).toBe(expected);
  });

  it('follows a nested path', () => {
    const select = compileRouteSelectionExpression('$request.body.meta.kind');
    expect(select('{"meta":{"kind":"typing"}}')).toBe('typing');
    expect(select('{"meta":"typing"}')).toBe('');
  });

  it('joins several variables and static text, unresolved ones as ""', () => {
    // Prepare
    const select = compileRouteSelectionExpression(
      '${request.body.service}/${request.body.action}',
    );
    const withMissing = compileRouteSelectionExpression(
      '${request.body.action}-${request.body.missing}',
    );
    // Act, Assess
    expect(select('{"service":"chat","action":"join"}')).toBe('chat/join');
    expect(withMissing('{"action":"join"}')).toBe('join-');
  });

  it.each(['$request.header.x-route', '${context.routeKey}', 'action', ''])(
    'refuses the unsupported expression %j',
    (expression) => {
      expect(() => compileRouteSelectionExpression(expression)).toThrow(
        /Unsupported route selection/,
      );
    },
  );
});

describe('selectRoute', () => {
  const withDefault = new Set(['$connect', '$disconnect', '$default', 'sendmessage']);
  const withoutDefault = new Set(['$connect', '$disconnect', 'sendmessage']);

  it('picks the route whose key equals the value exactly', () => {
    expect(selectRoute('sendmessage', withDefault)).toBe('sendmessage');
  });

  it.each([
    ['another case', 'SendMessage'],
    ['no value', ''],
    ['an unknown key', 'shout'],
    ['a reserved key', '$connect'],
    ['$default itself', '$default'],
  ])('falls back to $default for %s', (_name, value) => {
    expect(selectRoute(value, withDefault)).toBe('$default');
  });

  it('selects nothing when no key matches and there is no $default', () => {
    expect(selectRoute('shout', withoutDefault)).toBeUndefined();
    expect(selectRoute('$disconnect', withoutDefault)).toBeUndefined();
  });
});
