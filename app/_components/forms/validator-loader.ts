import { instantiateValidator, VALIDATOR_PROPERTY, type DataValidator } from '@/forms/runtime/standalone-modules';

const loading = new Map<string, Promise<DataValidator>>();

/**
 * Loads a form's generated validator with a script element: inserted by the page's own (nonce'd) code, it is allowed
 * by 'strict-dynamic' and runs without eval. One load per URL; a failed load may be tried again.
 */
export function loadFormValidator(url: string): Promise<DataValidator> {
  let validator = loading.get(url);
  if (validator === undefined) {
    validator = new Promise<DataValidator>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => {
        try {
          resolve(instantiateValidator((script as unknown as Record<string, unknown>)[VALIDATOR_PROPERTY]));
        } catch (error) {
          reject(error);
        }
      };
      script.onerror = () => reject(new Error(`The form validator ${url} did not load`));
      document.head.append(script);
    });
    validator.catch(() => loading.delete(url));
    loading.set(url, validator);
  }
  return validator;
}
