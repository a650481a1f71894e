/**
 * Access control as the ECE 461 spec describes it. `PUT /authenticate` trades a user's password for
 * a token; every other endpoint (but /health and /tracks) needs it in `X-Authorization`.
 *
 *   USER#{name}        / USER   {name, isAdmin, salt, hash, tokensValidAfter}  scrypt (node:crypto), never the password
 *   TOKEN#{sha256(t)}  / TOKEN  {user, isAdmin, issuedAt, expiresAt, uses, maxUses, revoked?}
 *
 * Tokens are 32 random bytes (the table keeps only their SHA-256, so a leaked table holds no usable
 * token). Each use is one conditional UpdateItem (uses < max, not expired, not revoked): the
 * course's 10 hours / 1,000 uses hold under concurrency. A token dies with its user (deleting a
 * user bumps `tokensValidAfter`), by `DELETE /authenticate` (revoke the token presented), or expiry.
 * The default admin (the spec's example user) is created from configuration — never from code —
 * on first use and by `DELETE /reset`.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LarderError, ValidationError } from '../errors';
import type { ArtifactStore } from './store';

export interface AuthUser {
  name: string;
  is_admin: boolean;
}

export interface AuthSettings {
  mode: 'required' | 'off';
  adminUser: string;
  adminPassword?: string;
  tokenTtlSeconds: number;
  tokenMaxUses: number;
}

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 64;

export class AuthError extends LarderError {
  constructor(message: string, statusCode: 401 | 403) {
    super('UNAUTHORIZED', message, { statusCode });
  }
}

export class Authenticator {
  constructor(
    private readonly store: ArtifactStore,
    readonly settings: AuthSettings,
  ) {}

  get enabled(): boolean {
    return this.settings.mode === 'required';
  }

  /** PUT /authenticate: the spec's AuthenticationRequest → "bearer <token>". 401 for a wrong user or password. */
  async authenticate(body: Record<string, unknown>): Promise<string> {
    if (!this.enabled) throw new LarderError('NOT_IMPLEMENTED', 'this registry runs without authentication (registry.auth.mode is off)', { statusCode: 501 });
    const { name, password } = parseAuthRequest(body);
    if (name === this.settings.adminUser) await this.ensureDefaultAdmin();
    const user = await this.getUser(name);
    const ok = user ? await verifyPassword(password, user.salt as string, user.hash as string) : await verifyPassword(password, DUMMY.salt, DUMMY.hash);
    if (!user || !ok) throw new AuthError('the user or password is invalid', 401);
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.put({
      pk: `TOKEN#${digest(token)}`,
      sk: 'TOKEN',
      entity: 'token',
      user: user.name,
      isAdmin: user.isAdmin,
      issuedAt: now,
      expiresAt: now + this.settings.tokenTtlSeconds * 1000,
      uses: 0,
      maxUses: this.settings.tokenMaxUses,
      ttl: Math.ceil((now + this.settings.tokenTtlSeconds * 1000) / 1000) + 86400,
    });
    return `bearer ${token}`;
  }

  /** The user behind an X-Authorization header; counts one use. 403 when missing, unknown, expired, used up or revoked. */
  async authorize(header: string | undefined): Promise<AuthUser> {
    const token = parseToken(header);
    const key = { pk: `TOKEN#${digest(token)}`, sk: 'TOKEN' };
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.store.ddb.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: key,
          UpdateExpression: 'ADD uses :one',
          ConditionExpression: 'attribute_exists(pk) AND uses < maxUses AND expiresAt > :now AND attribute_not_exists(revoked)',
          ExpressionAttributeValues: { ':one': 1, ':now': Date.now() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = out.Attributes;
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') throw new AuthError('the token is unknown, expired (10 hours), used up (1,000 requests) or revoked; PUT /authenticate for a new one', 403);
      throw new LarderError('UPSTREAM', `the registry table is unavailable (token check: ${(err as Error).name})`, { cause: err, statusCode: 500 });
    }
    const user = await this.getUser(String(item!.user));
    if (!user || Number(user.tokensValidAfter ?? 0) > Number(item!.issuedAt)) throw new AuthError('the token belongs to a user that no longer exists', 403);
    return { name: String(user.name), is_admin: Boolean(user.isAdmin) };
  }

  /** DELETE /authenticate: revokes the token presented. */
  async revoke(header: string | undefined): Promise<void> {
    await this.authorize(header);
    const token = parseToken(header);
    await this.store.ddb.send(new UpdateCommand({ TableName: this.store.tableName, Key: { pk: `TOKEN#${digest(token)}`, sk: 'TOKEN' }, UpdateExpression: 'SET revoked = :t', ExpressionAttributeValues: { ':t': true } }));
  }

  /** POST /users (admin): creates or replaces a user. */
  async putUser(body: Record<string, unknown>): Promise<AuthUser> {
    const { name, password, isAdmin } = parseAuthRequest(body);
    if (password.length < 8) throw new ValidationError('secret.password: at least 8 characters');
    await this.saveUser(name, password, isAdmin);
    return { name, is_admin: isAdmin };
  }

  /** DELETE /users/{name} (admin): the user and every token it holds. */
  async deleteUser(name: string): Promise<void> {
    const user = await this.getUser(name);
    if (!user) throw new LarderError('NOT_FOUND', `no user named "${name}"`, { statusCode: 404 });
    await this.put({ pk: `USER#${name}`, sk: 'USER', entity: 'deleted-user', name, tokensValidAfter: Date.now() + 1 });
  }

  /** The default admin, from configuration; a no-op without a configured password. */
  async ensureDefaultAdmin(force = false): Promise<void> {
    const password = this.settings.adminPassword;
    if (!password) return;
    if (!force && (await this.getUser(this.settings.adminUser))) return;
    await this.saveUser(this.settings.adminUser, password, true);
  }

  private async saveUser(name: string, password: string, isAdmin: boolean): Promise<void> {
    const salt = randomBytes(16).toString('base64');
    const hash = await hashPassword(password, salt);
    await this.put({ pk: `USER#${name}`, sk: 'USER', entity: 'user', name, isAdmin, salt, hash, tokensValidAfter: Date.now() });
  }

  private async getUser(name: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.store.ddb.send(new GetCommand({ TableName: this.store.tableName, Key: { pk: `USER#${name}`, sk: 'USER' }, ConsistentRead: true }));
    return out.Item?.entity === 'user' ? out.Item : undefined;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.store.ddb.send(new PutCommand({ TableName: this.store.tableName, Item: item }));
  }
}

function parseAuthRequest(body: Record<string, unknown>): { name: string; password: string; isAdmin: boolean } {
  const user = body.user as Record<string, unknown> | undefined;
  const secret = body.secret as Record<string, unknown> | undefined;
  if (!user || typeof user !== 'object' || Array.isArray(user)) throw new ValidationError('user: expected {name, is_admin}');
  if (!secret || typeof secret !== 'object' || Array.isArray(secret)) throw new ValidationError('secret: expected {password}');
  if (typeof user.name !== 'string' || !user.name.trim() || user.name.length > 128) throw new ValidationError('user.name: expected a non-empty string of at most 128 characters');
  if (user.is_admin !== undefined && typeof user.is_admin !== 'boolean') throw new ValidationError('user.is_admin: expected a boolean');
  if (typeof secret.password !== 'string' || !secret.password || secret.password.length > 1024) throw new ValidationError('secret.password: expected a non-empty string of at most 1024 characters');
  return { name: user.name.normalize('NFKC').trim(), password: secret.password, isAdmin: user.is_admin === true };
}

function parseToken(header: string | undefined): string {
  const token = header?.trim().replace(/^bearer\s+/i, '').replace(/^"|"$/g, '');
  if (!token) throw new AuthError('missing X-Authorization header: PUT /authenticate for a token', 403);
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new AuthError('the X-Authorization token is malformed', 403);
  return token;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function hashPassword(password: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFKC'), salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key.toString('base64')))));
}

async function verifyPassword(password: string, salt: string, hash: string): Promise<boolean> {
  const expected = Buffer.from(hash, 'base64');
  const actual = Buffer.from(await hashPassword(password, salt), 'base64');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Verified against when the user does not exist, so a wrong name costs the same time as a wrong password. */
const DUMMY = { salt: 'larder-dummy-salt', hash: Buffer.alloc(KEY_BYTES).toString('base64') };
