/**
 * The dependency rule of style.md, enforced: dependencies point inward
 * (adapters -> bot -> dialogs -> charging / nlu). The core imports no framework.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

/** Top-level folder an import lands in, or the package name for a bare import. */
function target(file: string, spec: string): { layer?: string; pkg?: string } {
  if (spec.startsWith('.')) {
    const abs = resolve(dirname(file), spec);
    return { layer: relative(ROOT, abs).split(/[\\/]/)[0] };
  }
  const parts = spec.split('/');
  return { pkg: spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0] };
}

/** node-nlp's engine, which nlu/ loads as its parts (nlu/nlpjs-engine.ts). */
const NLP_ENGINE = [
  'node-nlp',
  '@nlpjs/core',
  '@nlpjs/evaluator',
  '@nlpjs/lang-en',
  '@nlpjs/lang-es',
  '@nlpjs/language',
  '@nlpjs/nlp',
  '@nlpjs/nlu',
  '@nlpjs/request',
  '@nlpjs/sentiment',
];

const FRAMEWORKS = [
  'botbuilder',
  'botbuilder-core',
  'botbuilder-dialogs',
  'botframework-connector',
  '@slack/bolt',
  '@slack/web-api',
  'lowdb',
  ...NLP_ENGINE,
  'restify',
  'whatsapp-web.js',
  'ws',
];

const RULES: Record<string, { layers: string[]; forbiddenPackages?: string[] }> = {
  charging: { layers: ['charging'], forbiddenPackages: FRAMEWORKS },
  nlu: { layers: ['nlu'], forbiddenPackages: ['botbuilder', 'botbuilder-dialogs', '@slack/bolt', 'lowdb', 'restify'] },
  dialogs: {
    layers: ['dialogs', 'charging', 'nlu'],
    forbiddenPackages: ['lowdb', 'restify', '@slack/bolt', ...NLP_ENGINE],
  },
  bot: { layers: ['bot', 'dialogs', 'charging', 'nlu'] },
  adapters: { layers: ['adapters', 'bot', 'dialogs', 'charging', 'nlu'] },
};

/** The composition root builds every part by hand, so it alone may import the outer layer (style.md). */
const COMPOSITION_ROOT = ['bot/main.ts', 'bot/compose.ts'];

describe('architecture: dependencies point inward', () => {
  for (const [layer, rule] of Object.entries(RULES)) {
    it(`${layer}/ imports only ${rule.layers.join(', ')}${rule.forbiddenPackages ? ' and no forbidden framework' : ''}`, () => {
      const violations: string[] = [];
      for (const file of sources(join(ROOT, layer))) {
        if (COMPOSITION_ROOT.includes(relative(ROOT, file).split('\\').join('/'))) continue;
        for (const spec of importsOf(file)) {
          const t = target(file, spec);
          if (t.layer && !rule.layers.includes(t.layer)) violations.push(`${relative(ROOT, file)} -> ${spec}`);
          if (t.pkg && rule.forbiddenPackages?.includes(t.pkg)) violations.push(`${relative(ROOT, file)} -> ${t.pkg}`);
        }
      }
      expect(violations).to.deep.equal([]);
    });
  }

  it('the rule itself catches a forbidden import', () => {
    // Guards the guard: a core file importing botbuilder must be reported.
    const spec = 'botbuilder';
    expect(RULES.charging.forbiddenPackages).to.include(target(join(ROOT, 'charging', 'x.ts'), spec).pkg);
    expect(RULES.charging.layers).not.to.include(target(join(ROOT, 'charging', 'x.ts'), '../bot/main.js').layer);
  });
});
