import { describe, expect, it } from 'vitest';
import { devPathExists } from './dev-tools';

const PATHS = ['/dev', '/dev/', '/dev/sms', '/dev/sms/', '/dev/courriels', '/dev/courriels/x', '/dev/smsc', '/dev/inconnu', '/dev/courrielsx'];
const exists = (tools: Parameters<typeof devPathExists>[1]) => PATHS.filter((p) => devPathExists(p, tools));

describe('development paths', () => {
  it('exist only while the stack runs its own sink or simulator, each tool on its own', () => {
    expect(exists({})).toEqual([]);
    expect(exists({ mailSinkUrl: 'http://127.0.0.1:1080' })).toEqual(['/dev/courriels', '/dev/courriels/x']);
    expect(exists({ smscControlUrl: 'http://127.0.0.1:2776' })).toEqual(['/dev/sms', '/dev/sms/']);
    expect(exists({ mailSinkUrl: 'http://127.0.0.1:1080', smscControlUrl: 'http://127.0.0.1:2776' })).toEqual(['/dev/sms', '/dev/sms/', '/dev/courriels', '/dev/courriels/x']);
  });
});
