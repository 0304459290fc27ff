import { apbConfig } from '@apb/eslint-config';

export default apbConfig(import.meta.dirname);
