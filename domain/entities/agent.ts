import { EntitySchema, type Opt } from '@mikro-orm/core';
import { createdAt, inlineForeignKey, timestamptz, uuidKey } from './columns';
import { Department, Tenant } from './tenant';

/** Role of an agent inside one department. */
export type DepartmentRole = 'agent' | 'validator' | 'head';

/** A municipal agent who logs into the console. */
export class Agent {
  id!: string;
  tenant!: Tenant;
  email!: string;
  name!: string;
  passwordHash?: string;
  isAdmin = false;
  /** Data protection officer: may search, export and erase a person's data across the tenant. */
  isDpo = false;
  /** Régisseur: reads the régie's online payments and downloads their reconciliation. */
  isTreasurer = false;
  active = true;
  createdAt: Date = new Date();
}

/** The roles an agent holds in a department. */
export class AgentRole {
  id!: string;
  agent!: Agent;
  department!: Department;
  role!: DepartmentRole;
}

/** How an agent session was opened. */
export type SessionVia = 'password' | 'oidc';

/** A console session; the cookie carries the token, the table only its hash. */
export class AgentSession {
  id!: string;
  tenant!: Tenant;
  agent!: Agent;
  tokenHash!: string;
  via!: Opt<SessionVia>;
  createdAt!: Opt<Date>;
  lastSeenAt!: Opt<Date>;
  expiresAt!: Date;
  userAgent?: string;
}

/** One password login attempt, counted to slow down guessing. */
export class LoginAttempt {
  id!: string;
  tenant!: Tenant;
  email!: string;
  succeeded!: boolean;
  ip?: string;
  at!: Opt<Date>;
}

/** A password reset link sent to an agent; the link carries the token, the table only its hash. */
export class PasswordReset {
  id!: string;
  tenant!: Tenant;
  agent!: Agent;
  tokenHash!: string;
  createdAt!: Opt<Date>;
  expiresAt!: Date;
  usedAt?: Date;
}

/** A tenant's single sign-on provider (ProConnect or another OpenID Connect issuer). */
export class TenantOidc {
  tenant!: Tenant;
  enabled!: Opt<boolean>;
  issuer!: string;
  clientId!: string;
  /** Encrypted at rest (domain/secrets/envelope.ts). */
  clientSecret?: string;
  scopes!: Opt<string>;
  label!: Opt<string>;
  updatedAt!: Opt<Date>;
}

/** An OpenID Connect login in progress, between the redirect to the issuer and its callback. */
export class OidcLogin {
  stateHash!: string;
  tenant!: Tenant;
  nonce!: string;
  codeVerifier!: string;
  returnTo?: string;
  createdAt!: Opt<Date>;
}

export const AgentSchema = new EntitySchema<Agent>({
  class: Agent,
  tableName: 'agent',
  uniques: [{ properties: ['tenant', 'email'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade' },
    email: { type: 'string', length: 320 },
    name: { type: 'string', length: 200 },
    passwordHash: { type: 'text', nullable: true },
    isAdmin: { type: 'boolean', default: false },
    isDpo: { type: 'boolean', default: false },
    isTreasurer: { type: 'boolean', default: false },
    active: { type: 'boolean', default: true },
    createdAt,
  },
});

export const AgentRoleSchema = new EntitySchema<AgentRole>({
  class: AgentRole,
  tableName: 'agent_role',
  uniques: [{ properties: ['agent', 'department', 'role'] }],
  properties: {
    id: uuidKey,
    agent: { kind: 'm:1', entity: () => Agent, deleteRule: 'cascade' },
    department: { kind: 'm:1', entity: () => Department, deleteRule: 'cascade', index: true },
    role: { type: 'string', length: 20 },
  },
});

export const AgentSessionSchema = new EntitySchema<AgentSession>({
  class: AgentSession,
  tableName: 'agent_session',
  indexes: [{ name: 'agent_session_agent_idx', properties: ['agent'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('agent_session', 'tenant_id') },
    agent: { kind: 'm:1', entity: () => Agent, deleteRule: 'cascade', ...inlineForeignKey('agent_session', 'agent_id') },
    tokenHash: { type: 'string', length: 64, unique: 'agent_session_token_hash_key' },
    via: { type: 'string', length: 20, default: 'password' },
    createdAt: timestamptz({ now: true }),
    lastSeenAt: timestamptz({ now: true }),
    expiresAt: timestamptz(),
    userAgent: { type: 'string', length: 300, nullable: true },
  },
});

export const LoginAttemptSchema = new EntitySchema<LoginAttempt>({
  class: LoginAttempt,
  tableName: 'login_attempt',
  indexes: [{ name: 'login_attempt_lookup_idx', properties: ['tenant', 'email', 'at'] }],
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('login_attempt', 'tenant_id') },
    email: { type: 'string', length: 320 },
    succeeded: { type: 'boolean' },
    ip: { type: 'string', length: 64, nullable: true },
    at: timestamptz({ now: true }),
  },
});

export const PasswordResetSchema = new EntitySchema<PasswordReset>({
  class: PasswordReset,
  tableName: 'password_reset',
  properties: {
    id: uuidKey,
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('password_reset', 'tenant_id') },
    agent: { kind: 'm:1', entity: () => Agent, deleteRule: 'cascade', ...inlineForeignKey('password_reset', 'agent_id') },
    tokenHash: { type: 'string', length: 64, unique: 'password_reset_token_hash_key' },
    createdAt: timestamptz({ now: true }),
    expiresAt: timestamptz(),
    usedAt: timestamptz({ nullable: true }),
  },
});

export const TenantOidcSchema = new EntitySchema<TenantOidc>({
  class: TenantOidc,
  tableName: 'tenant_oidc',
  properties: {
    tenant: { kind: 'm:1', entity: () => Tenant, primary: true, deleteRule: 'cascade', ...inlineForeignKey('tenant_oidc', 'tenant_id') },
    enabled: { type: 'boolean', default: false },
    issuer: { type: 'string', length: 500 },
    clientId: { type: 'string', length: 300 },
    clientSecret: { type: 'text', nullable: true },
    scopes: { type: 'string', length: 300, default: 'openid email given_name usual_name' },
    label: { type: 'string', length: 100, default: 'Se connecter avec ProConnect' },
    updatedAt: timestamptz({ now: true }),
  },
});

export const OidcLoginSchema = new EntitySchema<OidcLogin>({
  class: OidcLogin,
  tableName: 'oidc_login',
  properties: {
    stateHash: { type: 'string', length: 64, primary: true },
    tenant: { kind: 'm:1', entity: () => Tenant, deleteRule: 'cascade', ...inlineForeignKey('oidc_login', 'tenant_id') },
    nonce: { type: 'string', length: 100 },
    codeVerifier: { type: 'string', length: 200 },
    returnTo: { type: 'string', length: 500, nullable: true },
    createdAt: timestamptz({ now: true }),
  },
});
