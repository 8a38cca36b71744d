// Moving around the app the way a user does, shared by the end-to-end specs.
import type { Page } from '@playwright/test';

/** Opens a page from the navigation bar. */
export const nav = (page: Page, name: string) =>
  page.getByRole('navigation').getByRole('button', { name, exact: true }).click();

/** Results, then the Details button of the first run listed. */
export async function openFirstRunDetails(page: Page): Promise<void> {
  await nav(page, 'Results');
  await page
    .getByRole('button', { name: /^Details of / })
    .first()
    .click();
}
