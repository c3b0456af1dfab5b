export type * from './types.js';
export { compileForm, FormDefinitionError, type CompileOptions, type CompiledForm } from './compile.js';
export { validateDefinition, type DefinitionCheck } from './definition.js';
export { evaluateCondition, visibleFields, applyVisibility, isFilled } from './conditions.js';
export { isFrenchMobile, isFrenchPhone, isFrenchPostcode, isInseeCommuneCode, frenchFormats } from './formats.js';
export { SCHOOL_HOLIDAYS, holidayPeriodOn, type SchoolZone, type HolidayPeriod } from './school-holidays.js';
export { DEFAULT_LIMITS, type DataLimits } from './guard.js';
