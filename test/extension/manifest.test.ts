// The manifest and the code agree: every command in package.json is registered and every registered `ucore.*`
// command is in package.json; menus and welcome views name real commands; every setting is described.
import * as assert from 'node:assert';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    menus: Record<string, Array<{ command: string; when?: string }>>;
    viewsWelcome: Array<{ view: string; contents: string }>;
    views: Record<string, Array<{ id: string }>>;
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
  };
}

async function manifest(): Promise<Manifest> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  await ext.activate();
  return ext.packageJSON as Manifest;
}

describe('manifest', () => {
  it('registers exactly the commands package.json declares', async () => {
    const m = await manifest();
    const declared = new Set(m.contributes.commands.map((c) => c.command));
    // VS Code itself registers `<viewId>.focus`, `.open`, … for each contributed view: those are not ours.
    const viewIds = Object.values(m.contributes.views).flat().map((v) => `${v.id}.`);
    const registered = new Set((await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('ucore.') && !viewIds.some((v) => c.startsWith(v))));
    const missing = [...declared].filter((c) => !registered.has(c));
    const undeclared = [...registered].filter((c) => !declared.has(c));
    assert.deepStrictEqual(missing, [], 'declared in package.json but not registered');
    assert.deepStrictEqual(undeclared, [], 'registered but not declared in package.json');
  });

  it('gives every command the UCore category and a "Verb Noun" title', async () => {
    const m = await manifest();
    for (const c of m.contributes.commands) {
      assert.strictEqual(c.category, 'UCore', c.command);
      assert.match(c.title, /^[A-Z][a-z]+( [A-Za-z.-]+)*$/, `${c.command}: "${c.title}"`);
      assert.match(c.command, /^ucore\.[a-zA-Z]+\.[a-zA-Z]+$/, c.command);
    }
  });

  it('menus and welcome views only name declared commands', async () => {
    const m = await manifest();
    const declared = new Set(m.contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(m.contributes.menus)) {
      for (const item of items) assert.ok(declared.has(item.command), `${menu} names ${item.command}`);
    }
    for (const w of m.contributes.viewsWelcome) {
      for (const [, id] of w.contents.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(declared.has(id), `welcome of ${w.view} names ${id}`);
    }
  });

  it('hides tree-only commands from the palette and mutating ones in untrusted workspaces', async () => {
    const m = await manifest();
    const palette = new Map(m.contributes.menus.commandPalette.map((e) => [e.command, e.when ?? '']));
    for (const id of ['ucore.pending.ack', 'ucore.pending.claim', 'ucore.pending.moveToDeadLetter', 'ucore.stream.loadMore']) {
      assert.strictEqual(palette.get(id), 'false', `${id} is hidden from the palette`);
    }
    for (const id of ['ucore.event.publish', 'ucore.event.replay', 'ucore.stream.trim', 'ucore.demo.start']) {
      assert.match(palette.get(id) ?? '', /isWorkspaceTrusted/, `${id} needs a trusted workspace`);
    }
    for (const item of m.contributes.menus['view/item/context']) {
      if (/pending\.(ack|claim|moveToDeadLetter)|stream\.trim|deadLetter\.requeue/.test(item.command)) {
        assert.match(item.when ?? '', /isWorkspaceTrusted/, `${item.command} in the tree needs a trusted workspace`);
      }
    }
  });

  it('contributes the four views in the UCore Events container', async () => {
    const m = await manifest();
    assert.deepStrictEqual(m.contributes.views.ucore.map((v) => v.id), ['ucore.connections', 'ucore.channels', 'ucore.streams', 'ucore.searchResults']);
  });

  it('describes every setting', async () => {
    const m = await manifest();
    const props = m.contributes.configuration.properties;
    for (const key of ['ucore.connections', 'ucore.defaultConnection', 'ucore.commandTimeoutMs', 'ucore.tail.maxLines',
      'ucore.store.streamKey', 'ucore.demo.ratePerSecond', 'ucore.monitor.recentCapacity', 'ucore.explorer.pageSize']) {
      assert.ok(props[key], `${key} is contributed`);
    }
    for (const [key, p] of Object.entries(props)) {
      assert.ok((p.description ?? p.markdownDescription ?? '').length > 10, `${key} has a description`);
    }
  });
});
