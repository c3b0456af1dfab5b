export type * from './types';
export { compileForm, FormDefinitionError, type CompileOptions, type CompiledForm } from './compile';
export { validateDefinition, type DefinitionCheck } from './definition';
export { evaluateCondition, visibleFields, applyVisibility, isFilled } from './conditions';
export { isFrenchMobile, isFrenchPhone, isFrenchPostcode, isInseeCommuneCode, frenchFormats } from './formats';
export { SCHOOL_HOLIDAYS, holidayPeriodOn, type SchoolZone, type HolidayPeriod } from './school-holidays';
export { DEFAULT_LIMITS, type DataLimits } from './guard';
export { describeAnswers, formatAnswer, addressLines, type AnswerLine } from './answers';
export { conditionFields } from './conditions';
