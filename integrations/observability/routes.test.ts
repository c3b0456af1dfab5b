import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNMATCHED_ROUTE, appRouteTemplates, routeMatcher } from './routes';

const templates = appRouteTemplates(path.join(process.cwd(), 'app'));
const routeOf = routeMatcher(templates);

describe('route templates of the app', () => {
  it('lists the pages and route handlers of app/, without private folders', () => {
    expect(templates).toEqual(expect.arrayContaining(['/', '/api/health', '/api/v1/t/[tenant]/requests', '/t/[tenant]/suivi/[reference]', '/console/[tenant]/demandes/[reference]']));
    expect(templates.some((template) => template.includes('/_'))).toBe(false);
  });

  it('labels a path with the template that serves it, static segments first', () => {
    expect(routeOf('/api/v1/t/ville-demo/requests')).toBe('/api/v1/t/[tenant]/requests');
    expect(routeOf('/api/v1/t/demo/agent/admin/processes')).toBe('/api/v1/t/[tenant]/agent/admin/processes');
    expect(routeOf('/api/v1/t/demo/agent/admin/departments')).toBe('/api/v1/t/[tenant]/agent/admin/[resource]');
    expect(routeOf('/t/demo/suivi/2026-000001')).toBe('/t/[tenant]/suivi/[reference]');
    expect(routeOf('/')).toBe('/');
    expect(routeOf('/_next/static/chunks/a.js')).toBe('/_next/static');
    expect(routeOf('/wp-login.php')).toBe(UNMATCHED_ROUTE);
    expect(routeOf('/api/v1/t/demo/requests/extra/segments/here')).toBe(UNMATCHED_ROUTE);
  });

  it('never turns a raw path into a label, whatever a client asks for', () => {
    const labels = new Set([...templates, UNMATCHED_ROUTE, '/_next/static', '/_next/image', '/_next']);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('api', 'v1', 't', 'demo', 'requests', '%', '..', '')), { maxLength: 8 }), (parts) => {
        expect(labels.has(routeOf(`/${parts.join('/')}`))).toBe(true);
      }),
    );
  });
});
