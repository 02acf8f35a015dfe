export { CodedError, type CodedErrorOptions, type ErrorCodeInfo, isOfFamily } from './coded-error.js';
