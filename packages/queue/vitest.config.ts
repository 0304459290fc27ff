import { apbVitestConfig } from '@apb/vitest-config';

export default apbVitestConfig();
