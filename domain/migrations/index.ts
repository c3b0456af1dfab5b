import { Migration20261128Initial } from './Migration20261128Initial';

/** Every migration, in order; new ones are appended here. */
export const MIGRATIONS = [{ name: 'Migration20261128Initial', class: Migration20261128Initial }];
