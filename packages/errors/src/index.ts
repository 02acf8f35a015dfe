export { CodedError, type CodedErrorOptions, type ErrorCodeInfo } from './coded-error.js';
