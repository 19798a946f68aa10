import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  metaIp,
  novaBootHint,
  readUserDataTemplate,
  renderUserData,
  UserDataError,
  type UserDataSettings,
} from '../user-data.js';

const TOKEN = `SWMTKN-1-${'0123456789'.repeat(5)}-${'abcde'.repeat(5)}`;
const settings: UserDataSettings = {
  managerAddr: '192.168.0.106:2377',
  token: TOKEN,
  role: 'worker',
  tarball: 'https://releases.example/shoal-0.1.0-linux-x64.tar.gz',
};

/** The value bash gives a settings variable of `script` when the environment does not set it. */
function bashValue(script: string, name: string): string {
  const line = script.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `no ${name}= line`);
  return execFileSync('bash', ['-c', `${line}\nprintf '%s' "$${name}"`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  });
}

test('the template from deploy/openstack is found and filled in', async () => {
  const template = await readUserDataTemplate();
  const script = renderUserData(template, settings);
  assert.equal(bashValue(script, 'SHOAL_MANAGER_IP'), '192.168.0.106');
  assert.equal(bashValue(script, 'SHOAL_JOIN_TOKEN'), TOKEN);
  assert.equal(bashValue(script, 'SHOAL_ROLE'), 'worker');
  assert.equal(bashValue(script, 'SHOAL_TARBALL'), settings.tarball);
  assert.ok(
    script.startsWith('#!/usr/bin/env bash\n# Written by `shoal swarm join-token --user-data worker`'),
  );
  // Only the settings lines and the comment differ from the template.
  const changed = script.split('\n').filter((l) => !template.split('\n').includes(l));
  assert.equal(changed.length, 5, changed.join('\n'));
  execFileSync('bash', ['-n'], { input: script });
});

test('a value that the shell would expand is written literally', async () => {
  const tarball = 'https://x.example/a}b$c`d"e\\f.tar.gz';
  const script = renderUserData(await readUserDataTemplate(), { ...settings, tarball });
  assert.equal(bashValue(script, 'SHOAL_TARBALL'), tarball);
});

test('the environment still overrides a filled-in setting', async () => {
  const script = renderUserData(await readUserDataTemplate(), settings);
  const line = script.split('\n').find((l) => l.startsWith('SHOAL_MANAGER_IP='));
  const out = execFileSync('bash', ['-c', `${line}\nprintf '%s' "$SHOAL_MANAGER_IP"`], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SHOAL_MANAGER_IP: '10.1.2.3' },
  });
  assert.equal(out, '10.1.2.3');
});

test('a manager on another port keeps it in meta.ip', () => {
  assert.equal(metaIp('10.0.0.5:2377'), '10.0.0.5');
  assert.equal(metaIp('10.0.0.5:4000'), '10.0.0.5:4000');
  assert.equal(metaIp('[fd00::5]:2377'), '[fd00::5]');
});

test('bad settings and a template without the settings lines are refused', async () => {
  const template = await readUserDataTemplate();
  assert.throws(() => renderUserData(template, { ...settings, token: 'SWMTKN-1-nope' }), UserDataError);
  assert.throws(
    () => renderUserData(template, { ...settings, managerAddr: '10.0.0.5; rm -rf /' }),
    UserDataError,
  );
  assert.throws(() => renderUserData(template, { ...settings, tarball: 'ftp://x/y' }), UserDataError);
  assert.throws(() => renderUserData(template, { ...settings, tarball: 'https://x/a\nb' }), UserDataError);
  assert.throws(
    () => renderUserData('#!/bin/sh\necho hi\n', settings),
    (e: unknown) => e instanceof UserDataError && /SHOAL_MANAGER_IP/.test(e.message),
  );
});

test('the nova boot hint carries the matching --meta flags', () => {
  const hint = novaBootHint(settings);
  assert.match(
    hint,
    new RegExp(
      `--user-data user-data\\.sh --meta ip=192\\.168\\.0\\.106 --meta token=${TOKEN} --meta role=worker`,
    ),
  );
  assert.doesNotMatch(hint, /--release-url/);
  assert.match(novaBootHint({ ...settings, tarball: '' }), /expects shoal to be installed in the image/);
});
