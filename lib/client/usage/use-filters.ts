"use client";
/** The usage filters, read from and written to the page URL so a view can be bookmarked and shared. */
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo } from "react";
import { filtersFromSearch, searchFromFilters, type UsageFilters } from "./filters";

export function useUsageFilters() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const query = params.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(query)), [query]);
  return {
    filters,
    update(patch: Partial<UsageFilters>) {
      router.replace(`${pathname}${searchFromFilters({ ...filters, ...patch })}`, { scroll: false });
    },
  };
}
