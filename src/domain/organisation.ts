/**
 * The level above the branches (issue #14): a 党委, 党组, 机关党委 or 党总支 with branches attached.
 * The seed's 阶段性总结 is written by a 党组 about all of its branches.
 */

export const ORGANISATION_KINDS = ['party_committee', 'leading_group', 'organ_committee', 'general_branch'] as const
export type OrganisationKind = typeof ORGANISATION_KINDS[number]

/** The kind's name as the report and the admin command write it. */
export const ORGANISATION_KIND_NAMES: Record<OrganisationKind, string> = {
  party_committee: '党委',
  leading_group: '党组',
  organ_committee: '机关党委',
  general_branch: '党总支',
}

/** A kind given as its code or its Chinese name (`党组`), or undefined. */
export function organisationKindOf(input: string): OrganisationKind | undefined {
  const text = input.trim()
  return ORGANISATION_KINDS.find(kind => kind === text || ORGANISATION_KIND_NAMES[kind] === text)
}
