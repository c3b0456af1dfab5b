import { describe, expect, it } from 'vitest';
import { contrast, portalColours } from './colours';

describe('portal colours', () => {
  it('keeps a dark tenant colour and writes white on it', () => {
    expect(portalColours({ primaryColor: '#1d4e89' })).toMatchObject({ primary: '#1d4e89', onPrimary: '#ffffff', link: '#1d4e89' });
  });

  it('writes dark text on a light colour and darkens links until they read on white', () => {
    const colours = portalColours({ primaryColor: '#ffd700' });
    expect(colours.onPrimary).toBe('#161616');
    expect(contrast(colours.link, '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });

  it('falls back to the State blue for a malformed colour', () => {
    expect(portalColours({ primaryColor: 'red; background: url(x)' }).primary).toBe('#000091');
  });
});
