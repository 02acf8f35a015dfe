export { main, usage } from './cli.js';
export { InvalidNameError, type ServiceNames, serviceNames } from './names.js';
export { type ScaffoldOptions, type ScaffoldResult, scaffold, TargetNotEmptyError } from './scaffold.js';
