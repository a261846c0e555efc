// ESLint (flat config), run by `npm test` with --max-warnings=0: the builder SPA's
// TypeScript with typescript-eslint's type-aware rules and the React Hooks rules; the
// portal's script, its tests and the Node scripts with the JavaScript rules.
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import { defineConfig, globalIgnores } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig([
  globalIgnores(['dist/', 'node_modules/', 'src/builder/api-schema.d.ts']),
  js.configs.recommended,
  {
    files: ['src/portal/**/*.js'],
    languageOptions: { globals: globals.browser }
  },
  {
    files: ['src/portal/**/*.test.js'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.vitest } }
  },
  {
    files: ['scripts/**/*.mjs', '*.config.{js,ts}'],
    languageOptions: { globals: globals.node }
  },
  {
    files: ['src/builder/**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommendedTypeChecked, reactHooks.configs.flat.recommended],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // `_name` marks a parameter or destructured property that is deliberately unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }
      ]
    }
  }
])
