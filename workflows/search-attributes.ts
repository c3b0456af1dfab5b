import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Tenant slug of a request workflow, so operators can filter one municipality in the Temporal UI. */
export const TENANT_ATTRIBUTE = defineSearchAttributeKey('RelaisTenant', SearchAttributeType.KEYWORD);
/** Human reference of the request (e.g. 2026-000042). */
export const REFERENCE_ATTRIBUTE = defineSearchAttributeKey('RelaisReference', SearchAttributeType.KEYWORD);
/** Slug of the department currently in charge. */
export const DEPARTMENT_ATTRIBUTE = defineSearchAttributeKey('RelaisDepartment', SearchAttributeType.KEYWORD);
/** Current request state. */
export const STATE_ATTRIBUTE = defineSearchAttributeKey('RelaisState', SearchAttributeType.KEYWORD);

/** The custom search attributes the dev server registers at start. */
export const CUSTOM_SEARCH_ATTRIBUTES = [TENANT_ATTRIBUTE, REFERENCE_ATTRIBUTE, DEPARTMENT_ATTRIBUTE, STATE_ATTRIBUTE];
