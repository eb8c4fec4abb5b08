import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuildReader, parseBuildEvent, parseStep, type BuildProgress } from '../../src/docker/build-events.js';

const json = (event: unknown): string => `${JSON.stringify(event)}\n`;

describe('parseBuildEvent', () => {
  test('builder output, with the step it starts', () => {
    assert.deepEqual(parseBuildEvent('{"stream":"Step 2/5 : RUN make\\n"}'), [
      { type: 'output', text: 'Step 2/5 : RUN make\n' },
      { type: 'progress', step: 2, total: 5 },
    ]);
    assert.deepEqual(parseBuildEvent('{"stream":" ---> Running in 0123456789ab\\n"}'), [{ type: 'output', text: ' ---> Running in 0123456789ab\n' }]);
  });

  test('the image id from aux.ID', () => {
    assert.deepEqual(parseBuildEvent('{"aux":{"ID":"sha256:abc"}}'), [{ type: 'image', id: 'sha256:abc' }]);
  });

  test('errorDetail.message wins over error; error alone is read too', () => {
    const both = '{"errorDetail":{"code":3,"message":"The command \'/bin/sh -c exit 3\' returned a non-zero code: 3"},"error":"short"}';
    assert.deepEqual(parseBuildEvent(both), [{ type: 'error', message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }]);
    assert.deepEqual(parseBuildEvent('{"error":"pull access denied\\n"}'), [{ type: 'error', message: 'pull access denied' }]);
  });

  test('status lines are kept, pull progress ticks are not', () => {
    assert.deepEqual(parseBuildEvent('{"status":"Pulling from library/alpine","id":"3.19"}'), [{ type: 'output', text: '3.19: Pulling from library/alpine\n' }]);
    assert.deepEqual(parseBuildEvent('{"status":"Downloading","progressDetail":{"current":10,"total":99},"id":"a1"}'), []);
    assert.deepEqual(parseBuildEvent('{"status":"Pull complete","progressDetail":{},"id":"a1"}'), [{ type: 'output', text: 'a1: Pull complete\n' }]);
  });

  test('a line that is not JSON is output; JSON that is not an object is nothing', () => {
    assert.deepEqual(parseBuildEvent('plain text from a proxy'), [{ type: 'output', text: 'plain text from a proxy\n' }]);
    assert.deepEqual(parseBuildEvent('[1,2]'), []);
    assert.deepEqual(parseBuildEvent('{"aux":"base64-buildkit-trace"}'), []);
  });
});

describe('parseStep', () => {
  test('reads "Step n/m :" only at the start of a line', () => {
    assert.deepEqual(parseStep('Step 10/12 : COPY . .'), { step: 10, total: 12 });
    assert.equal(parseStep('echo Step 1/2 : nope'), undefined);
    assert.equal(parseStep('Step x/2 : nope'), undefined);
  });
});

describe('createBuildReader', () => {
  const stream = [
    json({ stream: 'Step 1/2 : FROM busybox' }),
    json({ stream: '\n' }),
    json({ stream: ' ---> 51475d525f38\n' }),
    json({ stream: 'Step 2/2 : RUN echo héllo && exit 3\n' }),
    json({ stream: ' ---> Running in 0123456789ab\n' }),
    json({ stream: 'héllo\n' }),
    json({ errorDetail: { code: 3, message: "The command '/bin/sh -c echo héllo && exit 3' returned a non-zero code: 3" }, error: 'x' }),
  ].join('');

  test('lines and progress come out whole however the bytes are chunked; the error is kept', () => {
    const bytes = Buffer.from(stream);
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const lines: string[] = [];
      const progress: BuildProgress[] = [];
      const reader = createBuildReader((l) => lines.push(l), (p) => progress.push(p));
      for (let i = 0; i < bytes.length; i += size) reader.write(bytes.subarray(i, i + size));
      assert.equal(reader.runningContainer(), '0123456789ab');
      const outcome = reader.end();
      assert.deepEqual(lines, ['Step 1/2 : FROM busybox', ' ---> 51475d525f38', 'Step 2/2 : RUN echo héllo && exit 3', ' ---> Running in 0123456789ab', 'héllo'], `chunk size ${size}`);
      assert.deepEqual(progress, [{ step: 1, total: 2 }, { step: 2, total: 2 }]);
      assert.deepEqual(outcome, { error: "The command '/bin/sh -c echo héllo && exit 3' returned a non-zero code: 3" });
    }
  });

  test('a successful build yields aux.ID, the short id, and forgets a removed RUN container', () => {
    const reader = createBuildReader(() => {});
    reader.write(json({ stream: ' ---> Running in 0123456789ab\n' }));
    reader.write(json({ stream: 'Removing intermediate container 0123456789ab\n' }));
    assert.equal(reader.runningContainer(), undefined);
    reader.write(json({ aux: { ID: 'sha256:fd698f9caf178c0543041731bb289bbaa4885217e2cf68a960e2a44dedee94dc' } }));
    reader.write(json({ stream: 'Successfully built fd698f9caf17\n' }) + json({ stream: 'Successfully tagged x:1\n' }));
    assert.deepEqual(reader.end(), { imageId: 'sha256:fd698f9caf178c0543041731bb289bbaa4885217e2cf68a960e2a44dedee94dc', builtShortId: 'fd698f9caf17' });
  });

  test('the first error is the one reported; output after it still flows', () => {
    const lines: string[] = [];
    const reader = createBuildReader((l) => lines.push(l));
    reader.write(json({ error: 'first' }) + json({ error: 'second' }) + json({ stream: 'tail' }));
    assert.deepEqual(reader.end(), { error: 'first' });
    assert.deepEqual(lines, ['tail']);
  });
});
