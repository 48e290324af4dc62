// oidc-provider's in-memory adapter ships without type declarations; this is the part the local
// issuer uses (it hands the class to the provider's `adapter` setting).
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { Adapter } from 'oidc-provider';

  export default class MemoryAdapter implements Adapter {
    constructor(model: string);
    upsert(id: string, payload: object, expiresIn: number): Promise<void>;
    find(id: string): Promise<never>;
    findByUserCode(userCode: string): Promise<never>;
    findByUid(uid: string): Promise<never>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }
}
