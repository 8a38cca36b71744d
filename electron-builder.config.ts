// Installer builds (AppImage, deb, dmg, nsis). Native onnxruntime and koffi (@koromix) binaries are
// unpacked from the asar (they must be dlopen-able); other platforms' binaries are left out.
import type { Configuration } from 'electron-builder';

/** What the app needs at run time; platform lists repeat it because they replace, not extend, it. */
const appFiles = [
  'out/**/*',
  'package.json',
  '!**/node_modules/*/{test,tests,__tests__,docs,example,examples}/**',
  '!**/*.{map,md,ts}',
];
const ortOnlyFor = (keep: 'linux' | 'darwin' | 'win32') => [
  ...appFiles,
  ...(['linux', 'darwin', 'win32'] as const)
    .filter((os) => os !== keep)
    .map((os) => `!**/node_modules/onnxruntime-node/bin/napi-v6/${os}/**`),
];

const config: Configuration = {
  appId: 'org.ecoeval.workbench',
  productName: 'EcoEval',
  directories: { output: 'dist', buildResources: 'build' },
  files: appFiles,
  extraResources: [{ from: 'datasets', to: 'datasets', filter: ['*/**', '!generator/**'] }],
  asar: true,
  asarUnpack: ['**/node_modules/onnxruntime-node/**', '**/node_modules/@koromix/**'],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Science',
    maintainer: 'EcoEval team <team@ecoeval.org>',
    files: ortOnlyFor('linux'),
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    files: ortOnlyFor('darwin'),
  },
  win: {
    target: ['nsis'],
    files: ortOnlyFor('win32'),
  },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};

export default config;
