/**
 * Checks a process definition: its format (definition.schema.json, French messages) and its meaning (the graph, the
 * durations, the expressions, and the names it uses against what a tenant and a form offer). Pure: the names come in a
 * ProcessContext that domain/processes/context.ts builds from the database.
 */
import type { ValidateFunction } from 'ajv';
import { parse, type ASTNode } from '@marcbachmann/cel-js';
import { createFormAjv } from '@/forms/runtime/ajv';
import { dedupeErrors, toFormErrors } from '@/forms/runtime/messages';
import { inspectData, type DataLimits } from '@/forms/runtime/guard';
import type { FormError } from '@/forms/runtime/types';
import { escapeSegment } from '@/forms/runtime/pointer';
import { InvalidDelayError, parseDelay } from '@/domain/deadlines/delay';
import { validateCascade, type CascadeIssue, type EscalationStep } from '@/domain/deadlines/escalation';
import processSchema from './definition.schema.json' with { type: 'json' };
import { STEP_KINDS, WAITING_KINDS, successorsOf, type ProcessDefinition, type ProcessStep } from './definition';

/** One problem: a JSON pointer into the definition and a French message. */
export type ProcessError = FormError;

/**
 * The names a definition may use. A set that is absent is not checked (e.g. departments when no tenant is given);
 * `form` names the fields the expressions may read (`data.<field>`), as JSON pointers (`/adresse`, `/adresse/commune`).
 */
export interface ProcessContext {
  departments?: ReadonlySet<string>;
  /** Messages a `notify` or `request_information` step may send. */
  messageTemplates?: ReadonlySet<string>;
  /** Answer templates an `answer` step may offer. */
  answerTemplates?: ReadonlySet<string>;
  documentTemplates?: ReadonlySet<string>;
  connectors?: ReadonlySet<string>;
  form?: { slug: string; fields: ReadonlySet<string> };
}

/** Result of a check; `definition` is set when there is no error. */
export interface ProcessCheck {
  definition?: ProcessDefinition;
  errors: ProcessError[];
}

const DEFINITION_LIMITS: DataLimits = {
  maxDepth: 32,
  maxStringLength: 10_000,
  maxArrayItems: 1_000,
  maxObjectKeys: 200,
  maxKeyLength: 200,
  maxNodes: 50_000,
  maxErrors: 20,
};

/** The shared messages are worded for forms; these are reworded for a process. */
function reworded(error: ProcessError): ProcessError {
  if (error.message === 'Champ non prévu par le formulaire.') return { ...error, message: 'Champ non prévu par le format des processus.' };
  const unknownKind = /^Valeur « (.*) » non reconnue\.$/.exec(error.message);
  if (unknownKind && /^\/steps\/\d+\/kind$/.test(error.path)) {
    return { ...error, message: `Type d’étape inconnu « ${unknownKind[1]} » (types connus : ${STEP_KINDS.join(', ')}).` };
  }
  return error;
}

let formatValidator: ValidateFunction | undefined;

function formatErrors(json: unknown): ProcessError[] {
  formatValidator ??= createFormAjv().compile(processSchema);
  if (formatValidator(json)) return [];
  return toFormErrors(formatValidator.errors).map(reworded);
}

/** The fields of a step naming its successors, in the order of `successorsOf`. */
function successorFields(step: ProcessStep): string[] {
  switch (step.kind) {
    case 'validate':
      return ['approved', 'returned'];
    case 'request_information':
      return ['next', 'abandoned'];
    case 'decide':
      return ['accepted', 'refused'];
    case 'collect_payment':
      return ['paid', 'unpaid'];
    case 'close':
      return [];
    default:
      return ['next'];
  }
}

const VARIABLES = ['data', 'citizen', 'channel', 'receivedAt'];

const CASCADE_MESSAGES: Record<CascadeIssue['code'], string> = {
  percent_invalid: 'Le pourcentage doit être supérieur à 0 et au plus 1000.',
  percent_not_increasing: 'Les pourcentages doivent croître d’un palier au suivant.',
  no_recipient: 'Indiquez au moins un destinataire.',
  recipient_invalid: 'Destinataire invalide : « department », « head », « administrators » ou { "email": "…" }.',
};

function known(names: ReadonlySet<string>): string {
  const list = [...names].sort();
  if (list.length === 0) return 'aucun';
  const named = list.slice(0, 12).map((n) => `« ${n} »`).join(', ');
  // A long list is cut: the designer sees the first names and how many more there are.
  return list.length <= 12 ? named : `${named} et ${list.length - 12} autres`;
}

/** `data.a.b`, `data["a"]`: the root variable and the member names, or undefined for anything else. */
function accessChain(node: ASTNode): { root: string; segments: string[] } | undefined {
  switch (node.op) {
    case 'id':
      return { root: node.args, segments: [] };
    case '.':
    case '.?': {
      const inner = accessChain(node.args[0]);
      return inner && { root: inner.root, segments: [...inner.segments, node.args[1]] };
    }
    case '[]':
    case '[?]': {
      const [target, index] = node.args;
      if (index.op !== 'value' || typeof index.args !== 'string') return undefined;
      const inner = accessChain(target);
      return inner && { root: inner.root, segments: [...inner.segments, index.args] };
    }
    default:
      return undefined;
  }
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Every `data.…` member chain an expression reads. */
function dataReads(node: ASTNode, out: string[][] = []): string[][] {
  const chain = accessChain(node);
  if (chain) {
    if (chain.root === 'data' && chain.segments.length > 0) out.push(chain.segments);
    return out;
  }
  const visit = (value: unknown): void => {
    if (isNode(value)) dataReads(value, out);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  visit(node.args);
  return out;
}

/** Macros whose first argument names a variable bound in the others (`data.enfants.exists(e, e.age < 6)`). */
const BINDING_MACROS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** The variables an expression reads that it does not bind itself, in order of appearance. */
function freeVariables(node: ASTNode, bound: ReadonlySet<string> = new Set(), out = new Set<string>()): Set<string> {
  if (node.op === 'id') {
    if (!bound.has(node.args)) out.add(node.args);
    return out;
  }
  if (node.op === 'rcall' && BINDING_MACROS.has(node.args[0])) {
    const [, target, args] = node.args;
    freeVariables(target, bound, out);
    const [variable, ...rest] = args;
    const inner = variable?.op === 'id' ? new Set([...bound, variable.args]) : bound;
    for (const arg of variable?.op === 'id' ? rest : args) freeVariables(arg, inner, out);
    return out;
  }
  const visit = (value: unknown): void => {
    if (isNode(value)) freeVariables(value, bound, out);
    else if (Array.isArray(value)) value.forEach(visit);
  };
  visit(node.args);
  return out;
}

class ProcessChecker {
  readonly errors: ProcessError[] = [];
  private readonly indexById = new Map<string, number>();

  constructor(
    private readonly definition: ProcessDefinition,
    private readonly context: ProcessContext,
  ) {}

  private error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  private duration(path: string, value: string | undefined, businessDays = false): number | undefined {
    if (value === undefined) return undefined;
    try {
      const duration = parseDelay(value);
      if (businessDays && (duration.years || duration.months)) {
        this.error(path, `En jours ouvrés, la durée « ${value} » ne peut pas compter d’années ni de mois : écrivez-la en jours ou en semaines.`);
      }
      return duration.as('milliseconds');
    } catch (cause) {
      if (!(cause instanceof InvalidDelayError)) throw cause;
      this.error(path, `Durée invalide « ${value} » : une durée ISO 8601 positive comme « P8D » (8 jours), « P2W » (2 semaines) ou « PT48H » (48 heures).`);
      return undefined;
    }
  }

  private cascade(path: string, steps: readonly EscalationStep[] | undefined): void {
    if (!steps) return;
    for (const issue of validateCascade(steps)) {
      const where = issue.code === 'percent_invalid' || issue.code === 'percent_not_increasing' ? '/percent' : '/recipients';
      this.error(`${path}/${issue.index}${where}`, CASCADE_MESSAGES[issue.code]);
    }
  }

  private expression(path: string, source: string): void {
    let ast: ASTNode;
    try {
      ast = parse(source).ast;
    } catch (cause) {
      const detail = cause instanceof Error ? ((cause as { summary?: string }).summary ?? cause.message.split('\n')[0]) : String(cause);
      this.error(path, `L’expression ne se compile pas (${detail}) : ${source}`);
      return;
    }
    for (const name of freeVariables(ast)) {
      if (!VARIABLES.includes(name)) this.error(path, `Variable inconnue « ${name} » : une expression lit data, citizen, channel ou receivedAt.`);
    }
    const form = this.context.form;
    if (!form) return;
    for (const segments of dataReads(ast)) {
      for (let k = 1; k <= segments.length; k++) {
        const pointer = `/${segments.slice(0, k).map(escapeSegment).join('/')}`;
        if (form.fields.has(pointer)) continue;
        const parent = `/${segments.slice(0, k - 1).map(escapeSegment).join('/')}`;
        const parentHasFields = k === 1 || [...form.fields].some((f) => f.startsWith(`${parent}/`));
        if (parentHasFields) this.error(path, `Le champ « data.${segments.slice(0, k).join('.')} » n’existe pas dans le formulaire « ${form.slug} ».`);
        break;
      }
    }
  }

  private name(path: string, value: string, names: ReadonlySet<string> | undefined, what: string): void {
    if (names && !names.has(value)) this.error(path, `${what} inconnu « ${value} » (connus : ${known(names)}).`);
  }

  private checkStep(step: ProcessStep, path: string): void {
    if (step.delay) this.duration(`${path}/delay/delay`, step.delay.delay, step.delay.businessDays);
    if (step.escalation && !step.delay) this.error(`${path}/escalation`, 'Des relances demandent un délai propre à l’étape (delay).');
    this.cascade(`${path}/escalation`, step.escalation);
    const { departments, messageTemplates, answerTemplates, documentTemplates, connectors } = this.context;
    switch (step.kind) {
      case 'route':
        this.name(`${path}/department`, step.department, departments, 'Service');
        step.rules?.forEach((rule, i) => {
          this.expression(`${path}/rules/${i}/when`, rule.when);
          this.name(`${path}/rules/${i}/department`, rule.department, departments, 'Service');
        });
        break;
      case 'answer':
        step.templates?.forEach((t, i) => this.name(`${path}/templates/${i}`, t, answerTemplates, 'Modèle de réponse'));
        break;
      case 'validate':
        if (step.levels.length === 0) this.error(`${path}/levels`, 'Indiquez au moins un niveau de validation.');
        step.levels.forEach((level, i) => {
          if (!level.role && !level.validators?.length) {
            this.error(`${path}/levels/${i}`, 'Un niveau de validation indique un rôle (role) ou des valideurs nommés (validators).');
          }
        });
        break;
      case 'request_information': {
        if (step.template !== undefined) this.name(`${path}/template`, step.template, messageTemplates, 'Modèle de message');
        const timeout = this.duration(`${path}/timeout`, step.timeout);
        const reminder = this.duration(`${path}/reminderAfter`, step.reminderAfter);
        if (timeout !== undefined && reminder !== undefined && reminder >= timeout) {
          this.error(`${path}/reminderAfter`, 'La relance doit partir avant l’abandon : reminderAfter doit être plus court que timeout.');
        }
        break;
      }
      case 'issue_document':
        this.name(`${path}/template`, step.template, documentTemplates, 'Modèle de document');
        break;
      case 'export':
        this.name(`${path}/connector`, step.connector, connectors, 'Connecteur d’export');
        break;
      case 'collect_payment':
        if (typeof step.amount === 'number') {
          if (!Number.isInteger(step.amount) || step.amount < 0) {
            this.error(`${path}/amount`, 'Le montant doit être un nombre entier de centimes d’euro, positif ou nul (ex. 35000 pour 350 €).');
          }
        } else {
          this.expression(`${path}/amount`, step.amount);
        }
        if (typeof step.quantity === 'number' && (!Number.isInteger(step.quantity) || step.quantity < 1)) {
          this.error(`${path}/quantity`, 'La quantité doit être un nombre entier d’au moins 1.');
        } else if (typeof step.quantity === 'string') {
          this.expression(`${path}/quantity`, step.quantity);
        }
        this.duration(`${path}/timeout`, step.timeout);
        break;
      case 'notify':
        this.name(`${path}/template`, step.template, messageTemplates, 'Modèle de message');
        break;
      case 'wait':
        if ((step.duration === undefined) === (step.until === undefined)) {
          this.error(path, 'Une attente indique soit une durée (duration), soit une date (until).');
        }
        this.duration(`${path}/duration`, step.duration);
        if (step.until !== undefined) this.expression(`${path}/until`, step.until);
        break;
      default:
        break;
    }
  }

  private checkGraph(): void {
    const { steps, start } = this.definition;
    steps.forEach((step, i) => {
      const first = this.indexById.get(step.id);
      if (first !== undefined) this.error(`/steps/${i}/id`, `L’identifiant « ${step.id} » est déjà celui de l’étape /steps/${first}.`);
      else this.indexById.set(step.id, i);
    });
    const startIndex = this.indexById.get(start);
    if (startIndex === undefined) this.error('/start', `L’étape de départ « ${start} » n’existe pas.`);
    steps.forEach((step, i) => {
      const fields = successorFields(step);
      successorsOf(step).forEach((target, k) => {
        if (!this.indexById.has(target)) this.error(`/steps/${i}/${fields[k]}`, `L’étape « ${target} » n’existe pas.`);
      });
    });
    // Acknowledgement: exactly one, and first.
    const acknowledgements = steps.flatMap((step, i) => (step.kind === 'acknowledge' ? [i] : []));
    if (acknowledgements.length === 0) {
      this.error('/steps', 'Le processus doit commencer par un accusé de réception (étape « acknowledge »).');
    } else {
      acknowledgements.slice(1).forEach((i) => this.error(`/steps/${i}/kind`, 'Un processus n’a qu’un accusé de réception.'));
      if (startIndex !== undefined && steps[startIndex].kind !== 'acknowledge') {
        this.error('/start', `Le processus doit commencer par l’accusé de réception (« ${steps[acknowledgements[0]].id} »).`);
      }
    }
    if (startIndex === undefined) return;

    const successors = (id: string): string[] => {
      const index = this.indexById.get(id);
      return index === undefined ? [] : successorsOf(steps[index]).filter((t) => this.indexById.has(t));
    };
    // Reachable from the start.
    const reachable = new Set<string>([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const next of successors(queue.shift()!)) {
        if (!reachable.has(next)) {
          reachable.add(next);
          queue.push(next);
        }
      }
    }
    steps.forEach((step, i) => {
      if (this.indexById.get(step.id) === i && !reachable.has(step.id)) {
        this.error(`/steps/${i}`, `L’étape « ${step.id} » n’est jamais atteinte depuis le départ (« ${start} »).`);
      }
    });
    // A close must be reachable from every reachable step (so no step traps the request).
    const predecessors = new Map<string, string[]>();
    for (const id of this.indexById.keys()) for (const next of successors(id)) predecessors.set(next, [...(predecessors.get(next) ?? []), id]);
    const closing = new Set(steps.filter((s) => s.kind === 'close').map((s) => s.id));
    const back = [...closing];
    while (back.length > 0) {
      for (const previous of predecessors.get(back.shift()!) ?? []) {
        if (!closing.has(previous)) {
          closing.add(previous);
          back.push(previous);
        }
      }
    }
    const waitless = this.checkLoops(successors);
    if (!closing.has(start)) {
      this.error('/start', 'Aucune étape de clôture (« close ») n’est atteignable depuis le départ.');
    } else {
      steps.forEach((step, i) => {
        // A step of a loop without wait is already reported, as its loop.
        if (this.indexById.get(step.id) === i && reachable.has(step.id) && !closing.has(step.id) && !waitless.has(step.id)) {
          this.error(`/steps/${i}`, `Depuis l’étape « ${step.id} », aucune clôture (« close ») n’est atteignable.`);
        }
      });
    }
  }

  /** Every loop must pass through a step that waits (strongly connected components, Tarjan); returns the steps of the loops that do not. */
  private checkLoops(successors: (id: string) => string[]): Set<string> {
    const waitless = new Set<string>();
    const { steps } = this.definition;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    let counter = 0;
    const components: string[][] = [];
    const connect = (id: string): void => {
      index.set(id, counter);
      low.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      for (const next of successors(id)) {
        if (!index.has(next)) {
          connect(next);
          low.set(id, Math.min(low.get(id)!, low.get(next)!));
        } else if (onStack.has(next)) {
          low.set(id, Math.min(low.get(id)!, index.get(next)!));
        }
      }
      if (low.get(id) === index.get(id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== id);
        components.push(component);
      }
    };
    for (const id of this.indexById.keys()) if (!index.has(id)) connect(id);
    for (const component of components) {
      const looping = component.length > 1 || successors(component[0]).includes(component[0]);
      if (!looping) continue;
      const members = component.map((id) => this.indexById.get(id)!).sort((a, b) => a - b);
      if (members.some((i) => WAITING_KINDS.has(steps[i].kind))) continue;
      component.forEach((id) => waitless.add(id));
      this.error(
        `/steps/${members[0]}`,
        `Boucle sans attente entre les étapes ${members.map((i) => `« ${steps[i].id} »`).join(', ')} : une boucle doit passer par une étape qui attend (réponse, validation, complément, décision, paiement ou attente).`,
      );
    }
    return waitless;
  }

  run(): ProcessError[] {
    const { guaranteedDelay, escalation, steps } = this.definition;
    this.duration('/guaranteedDelay/delay', guaranteedDelay.delay, guaranteedDelay.businessDays);
    this.cascade('/escalation', escalation);
    this.checkGraph();
    steps.forEach((step, i) => this.checkStep(step, `/steps/${i}`));
    return this.errors;
  }
}

/** Checks a parsed definition file (format, then meaning); never throws on bad input. */
export function checkProcessDefinition(json: unknown, context: ProcessContext = {}): ProcessCheck {
  const unsafe = inspectData(json, DEFINITION_LIMITS);
  if (unsafe.length > 0) {
    const notObject = unsafe.some((e) => e.path === '' && e.message.startsWith('Les données du formulaire doivent'));
    return { errors: notObject ? [{ path: '', message: 'La définition doit être un objet JSON.' }] : unsafe };
  }
  const format = formatErrors(json);
  if (format.length > 0) return { errors: dedupeErrors(format) };
  const definition = json as ProcessDefinition;
  const errors = new ProcessChecker(definition, context).run();
  return errors.length > 0 ? { errors: dedupeErrors(errors) } : { definition, errors: [] };
}
