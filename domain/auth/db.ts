/** Parameterised SQL inside the EntityManager's transaction when it has one (see domain/sql.ts). */
export { query as sql } from '@/domain/sql';
