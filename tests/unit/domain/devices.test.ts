import { describe, expect, it } from 'vitest'
import { deviceNameFrom } from '../../../src/domain/devices'

/** Device names from User-Agents: what 我的设备 and the secretary's device list show. */
describe('deviceNameFrom', () => {
  it.each([
    ['Mozilla/5.0 (Linux; Android 13; SM-G9910) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36', 'Android · SM-G9910 · Chrome'],
    // Chrome's reduced User-Agent hides the model as `K`.
    ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36', 'Android · Chrome'],
    ['Mozilla/5.0 (Linux; Android 12; ELS-AN00 Build/HUAWEIELS-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5023 MMWEBSDK/20230303 MicroMessenger/8.0.34.2340(0x2800225D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64', 'Android · ELS-AN00 · WeChat'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1', 'iPhone · Safari'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40', 'iPhone · WeChat'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0', 'Windows · Edge'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Linux · Chrome'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Gecko/20100101 Firefox/121.0', 'Mac · Firefox'],
    ['curl/8.5.0', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (ua, name) => {
    expect(deviceNameFrom(ua)).toBe(name)
  })

  it('keeps a name short whatever the User-Agent says', () => {
    const name = deviceNameFrom(`Mozilla/5.0 (Linux; Android 14; ${'X'.repeat(500)}) Chrome/1.0`)!
    expect(name.length).toBeLessThanOrEqual(60)
  })
})
