import fs from 'node:fs';
import path from 'node:path';

/** The label of a path that no route of the app serves: raw paths never become labels (unbounded series). */
export const UNMATCHED_ROUTE = 'unmatched';

type Segment = { kind: 'static'; name: string } | { kind: 'dynamic' } | { kind: 'catch-all'; optional: boolean };

interface RouteTemplate {
  template: string;
  segments: Segment[];
}

/**
 * The route templates of a Next.js `app/` folder (`/api/v1/t/[tenant]/requests`), from its `page.tsx` and `route.ts`
 * files: route groups `(x)` and private `_x` folders are left out as Next.js does.
 */
export function appRouteTemplates(appDir: string): string[] {
  const templates: string[] = [];
  const visit = (dir: string, parts: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name.startsWith('_')) continue;
        visit(path.join(dir, entry.name), /^\(.*\)$/.test(entry.name) ? parts : [...parts, entry.name]);
      } else if (/^(page|route)\.(tsx?|jsx?)$/.test(entry.name)) {
        templates.push(`/${parts.join('/')}`);
      }
    }
  };
  visit(appDir, []);
  return [...new Set(templates)].sort();
}

/**
 * Maps a request path to the template of the route that serves it, static segments winning over dynamic ones and
 * those over catch-alls, as Next.js chooses; Next.js's own assets get one label per kind.
 */
export function routeMatcher(templates: string[]): (pathname: string) => string {
  const routes = templates.map(parseTemplate).sort((a, b) => compareSpecificity(a.segments, b.segments));
  return (pathname) => {
    if (pathname.startsWith('/_next/')) return pathname.startsWith('/_next/static/') ? '/_next/static' : pathname.startsWith('/_next/image') ? '/_next/image' : '/_next';
    const parts = pathname.split('/').filter(Boolean);
    return routes.find((route) => matches(route.segments, parts))?.template ?? UNMATCHED_ROUTE;
  };
}

function parseTemplate(template: string): RouteTemplate {
  const segments = template
    .split('/')
    .filter(Boolean)
    .map((part): Segment => {
      if (/^\[\[\.\.\..+\]\]$/.test(part)) return { kind: 'catch-all', optional: true };
      if (/^\[\.\.\..+\]$/.test(part)) return { kind: 'catch-all', optional: false };
      if (/^\[.+\]$/.test(part)) return { kind: 'dynamic' };
      return { kind: 'static', name: part };
    });
  return { template, segments };
}

const RANK = { static: 0, dynamic: 1, 'catch-all': 2 } as const;

function compareSpecificity(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!a[i] || !b[i]) return a[i] ? -1 : 1;
    const difference = RANK[a[i].kind] - RANK[b[i].kind];
    if (difference) return difference;
  }
  return 0;
}

function matches(segments: Segment[], parts: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'catch-all') return i === segments.length - 1 && (segment.optional || parts.length > i);
    if (i >= parts.length) return false;
    if (segment.kind === 'static' && segment.name !== safeDecode(parts[i])) return false;
  }
  return parts.length === segments.length;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
