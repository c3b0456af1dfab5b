/** Binds a tenant's encrypted OIDC client secret to its row: copied to another tenant's row, it does not decrypt. */
export function oidcSecretContext(tenantId: string): string {
  return `tenant_oidc:${tenantId}`;
}
