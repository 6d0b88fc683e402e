/** A query parameter the store cannot use; `field` names it (the HTTP layer answers 400). */
export class StorageQueryError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'StorageQueryError';
    this.field = field;
  }
}
