// The whole-run log scan (test/utils/log-scan-global-setup.ts), kept there so it is type-checked
// and linted with the tests.
export { setup } from './test/utils/log-scan-global-setup.js';
