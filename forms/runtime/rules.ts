import type { FormError, Rule } from './types';
import { getAt } from './pointer';
import { evaluateCondition, isFilled } from './conditions';
import { addDays, ageAt, asIsoDate, formatFrenchDate } from './dates';
import { SCHOOL_HOLIDAYS, type HolidayPeriod } from './school-holidays';

/** What a rule may read besides the data. */
export interface RuleContext {
  data: unknown;
  /** Today in Paris (YYYY-MM-DD). */
  today: string;
  /** Label of the UI field at a pointer, or the pointer when the field has no label. */
  labelOf(pointer: string): string;
  /** Label of an option value of a select / radio field, or the value itself. */
  optionLabelOf(pointer: string, value: unknown): string;
}

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole,
  );
}

function error(path: string, custom: string | undefined, fallback: string, values: Record<string, string | number> = {}): FormError[] {
  return [{ path, message: fill(custom ?? fallback, values) }];
}

function dateAt(ctx: RuleContext, pointer: string): string | null {
  return asIsoDate(getAt(ctx.data, pointer));
}

function resolveDate(ctx: RuleContext, reference: string): string | null {
  if (reference === 'today') return ctx.today;
  if (reference.startsWith('/')) return dateAt(ctx, reference);
  return asIsoDate(reference);
}

function periodsOf(rule: Extract<Rule, { rule: 'dateWithinPeriods' }>): readonly HolidayPeriod[] {
  if (rule.periods === 'schoolHolidays') return SCHOOL_HOLIDAYS[rule.zone ?? 'C'];
  return rule.periods.map(([from, to]) => ({ name: `du ${formatFrenchDate(from)} au ${formatFrenchDate(to)}`, from, to }));
}

/**
 * Checks one named rule. Rules skip values that are missing or malformed: the schema reports those,
 * so the citizen never sees two messages for one mistake.
 */
export function checkRule(rule: Rule, ctx: RuleContext): FormError[] {
  switch (rule.rule) {
    case 'dateBefore': {
      const first = dateAt(ctx, rule.first);
      const second = dateAt(ctx, rule.second);
      if (!first || !second) return [];
      const ok = rule.orEqual ? first <= second : first < second;
      return ok
        ? []
        : error(rule.second, rule.message, '« {second} » doit être postérieure à « {first} ».', {
            first: ctx.labelOf(rule.first),
            second: ctx.labelOf(rule.second),
            date: formatFrenchDate(first),
          });
    }
    case 'dateInFuture': {
      const date = dateAt(ctx, rule.field);
      if (!date) return [];
      const minDays = rule.minDays ?? 1;
      const earliest = addDays(ctx.today, minDays);
      if (date < earliest) {
        const fallback = minDays <= 1 ? 'La date doit être postérieure à aujourd’hui.' : 'La date doit être au plus tôt le {earliest}.';
        return error(rule.field, rule.message, fallback, { earliest: formatFrenchDate(earliest), minDays });
      }
      if (rule.maxDays !== undefined) {
        const latest = addDays(ctx.today, rule.maxDays);
        if (date > latest) return error(rule.field, rule.message, 'La date doit être au plus tard le {latest}.', { latest: formatFrenchDate(latest) });
      }
      return [];
    }
    case 'dateInPast': {
      const date = dateAt(ctx, rule.field);
      if (!date || date <= ctx.today) return [];
      return error(rule.field, rule.message, 'La date ne peut pas être postérieure à aujourd’hui.');
    }
    case 'ageBetween': {
      const birth = dateAt(ctx, rule.field);
      const at = resolveDate(ctx, rule.at);
      if (!birth || !at) return [];
      const age = ageAt(birth, at);
      if (age >= rule.min && age <= rule.max) return [];
      return error(rule.field, rule.message, 'L’âge doit être compris entre {min} et {max} ans au {date} (âge calculé : {age} ans).', {
        min: rule.min,
        max: rule.max,
        age,
        date: formatFrenchDate(at),
      });
    }
    case 'requiredIf': {
      if (!evaluateCondition(rule.when, ctx.data) || isFilled(getAt(ctx.data, rule.field))) return [];
      return error(rule.field, rule.message, 'Ce champ est obligatoire.');
    }
    case 'dateWithinPeriods': {
      const start = dateAt(ctx, rule.field);
      if (!start) return [];
      const periods = periodsOf(rule);
      const period = periods.find((p) => p.from <= start && start <= p.to);
      const fallback =
        rule.periods === 'schoolHolidays'
          ? 'La date doit être comprise dans une période de vacances scolaires (zone {zone}).'
          : 'La date doit être comprise dans l’une des périodes proposées.';
      const values = { zone: rule.zone ?? 'C' };
      if (!period) return error(rule.field, rule.message, fallback, values);
      const end = rule.endField ? dateAt(ctx, rule.endField) : null;
      if (rule.endField && end && end > period.to) {
        return error(rule.endField, rule.message, 'La date de fin doit rester dans la même période ({period}, jusqu’au {to}).', {
          ...values,
          period: period.name,
          to: formatFrenchDate(period.to),
        });
      }
      return [];
    }
    case 'maxByOption': {
      const count = getAt(ctx.data, rule.field);
      const option = getAt(ctx.data, rule.option);
      if (typeof count !== 'number' || (typeof option !== 'string' && typeof option !== 'number')) return [];
      const key = String(option);
      if (!Object.prototype.hasOwnProperty.call(rule.limits, key)) return [];
      const limit = rule.limits[key];
      if (count <= limit) return [];
      return error(rule.field, rule.message, 'Au plus {limit} pour « {option} ».', {
        limit,
        option: ctx.optionLabelOf(rule.option, option),
      });
    }
  }
}

/** A pointer a rule reads, the key naming it in the rule object, and the value type it needs. */
export interface RuleFieldRef {
  key: string;
  pointer: string;
  expects?: 'date' | 'number';
}

/** Pointers a rule reads (conditions of `requiredIf` excepted). */
export function ruleFieldRefs(rule: Rule): RuleFieldRef[] {
  switch (rule.rule) {
    case 'dateBefore':
      return [
        { key: 'first', pointer: rule.first, expects: 'date' },
        { key: 'second', pointer: rule.second, expects: 'date' },
      ];
    case 'dateInFuture':
    case 'dateInPast':
      return [{ key: 'field', pointer: rule.field, expects: 'date' }];
    case 'ageBetween':
      return [
        { key: 'field', pointer: rule.field, expects: 'date' },
        ...(rule.at.startsWith('/') ? [{ key: 'at', pointer: rule.at, expects: 'date' as const }] : []),
      ];
    case 'dateWithinPeriods':
      return [
        { key: 'field', pointer: rule.field, expects: 'date' },
        ...(rule.endField ? [{ key: 'endField', pointer: rule.endField, expects: 'date' as const }] : []),
      ];
    case 'maxByOption':
      return [
        { key: 'field', pointer: rule.field, expects: 'number' },
        { key: 'option', pointer: rule.option },
      ];
    case 'requiredIf':
      return [{ key: 'field', pointer: rule.field }];
  }
}
