"""How a storefront browses the catalog: product collections, tags and types, and the category
tree (``is_internal: false``, ``is_active: true`` only, children by rank then handle)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._state.store import Record, Store
from . import views
from .errors import ErrorType, MedusaError, UnexpectedError, not_found
from .listing import ListConfig, as_list, compare_date, list_config, page, sort_rows

CATEGORY_FIELDS = ("id", "name", "description", "handle", "parent_category_id", "created_at",
                   "updated_at", "rank", "metadata")
CATEGORY_DEFAULT_RELATIONS = ("parent_category", "category_children")
CATEGORY_SCOPE = {"is_internal": False, "is_active": True}
COLLECTION_ALLOWED_FIELDS = ("id", "title", "handle", "products", "metadata", "created_at",
                             "updated_at", "deleted_at")
TAG_FIELDS = ("id", "value", "created_at", "updated_at")


class Taxonomy:
    """Collections, tags, types and categories: a part of :class:`~.catalog.CatalogService`."""

    store: Store

    # -- collections, tags, types --------------------------------------------------------------
    def list_collections(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], int,
                                                                ListConfig]:
        config = list_config(query, allowed_fields=COLLECTION_ALLOWED_FIELDS, default_limit=10)

        def keep(c: Record) -> bool:
            if c.get("deleted_at") is not None:
                return False
            if query.get("handle") is not None and c["handle"] not in query["handle"]:
                return False
            return (compare_date(c["created_at"], query.get("created_at"))
                    and compare_date(c["updated_at"], query.get("updated_at")))

        with self.store.lock:
            rows = sort_rows(self.store.product_collections.find(keep), config.order,
                             views.COLLECTION_COLUMNS)
            return ([views.pick(c, views.COLLECTION_COLUMNS) for c in page(rows, config)],
                    len(rows), config)

    def retrieve_collection(self, collection_id: str) -> dict[str, Any]:
        with self.store.lock:
            collection = self.store.product_collections.live(collection_id)
            if collection is None:
                raise not_found("Product collection", id=collection_id)
            return views.pick(collection, views.COLLECTION_COLUMNS)

    def list_values(self, table: str, query: dict[str, Any]) -> tuple[list[dict[str, Any]], int,
                                                                      ListConfig]:
        """Product tags or types: ``value`` search with ``q``, string and date comparisons. The
        types route is the admin one, which checks ``order`` against no list: any column sorts
        (and another name fails in the database)."""
        config = list_config(query, default_fields=TAG_FIELDS,
                             allowed_fields=() if table == "product_types" else TAG_FIELDS,
                             default_limit=20)

        def matches(value: Any, wanted: Any) -> bool:
            if wanted is None:
                return True
            if isinstance(wanted, dict):
                checks = {"lt": lambda a, b: a < b, "gt": lambda a, b: a > b,
                          "lte": lambda a, b: a <= b, "gte": lambda a, b: a >= b,
                          "contains": lambda a, b: b in a,
                          "starts_with": lambda a, b: a.startswith(b),
                          "ends_with": lambda a, b: a.endswith(b)}
                return all(checks[op](value, bound) for op, bound in wanted.items()
                           if bound is not None)
            return value in as_list(wanted)

        condition = query.get("discount_condition_id")
        if condition == "":
            raise UnexpectedError("empty discount condition id",
                                  quirk="discount-condition-empty-500")

        def keep(r: Record) -> bool:
            if r.get("deleted_at") is not None or condition:  # no discount conditions here
                return False
            if query.get("q") and query["q"].lower() not in r["value"].lower():
                return False
            return (matches(r["id"], query.get("id")) and matches(r["value"], query.get("value"))
                    and compare_date(r["created_at"], query.get("created_at"))
                    and compare_date(r["updated_at"], query.get("updated_at")))

        with self.store.lock:
            rows = sort_rows(self.store.tables[table].find(keep), config.order,
                             views.TAG_COLUMNS)
            selected = config.select or list(TAG_FIELDS)
            columns = tuple(c for c in views.TAG_COLUMNS if c in selected)
            return [views.pick(r, columns) for r in page(rows, config)], len(rows), config

    # -- categories ----------------------------------------------------------------------------
    def _in_scope(self, category: Record) -> bool:
        return all(category.get(k) == v for k, v in CATEGORY_SCOPE.items())

    def _children(self, category_id: str) -> list[Record]:
        rows = self.store.product_categories.find(
            lambda c: c["parent_category_id"] == category_id)
        rows.sort(key=lambda c: (c["rank"], c["handle"]))
        return rows

    def _descendants(self, category: Record, columns: Sequence[str], *,
                     scoped: bool) -> list[dict[str, Any]]:
        """``findDescendantsTree`` + ``sortChildren``: full rows, children by rank then handle;
        ``sortChildren`` scopes every level but the first."""
        out = []
        for child in self._children(category["id"]):
            if scoped and not self._in_scope(child):
                continue
            view = views.pick(child, views.CATEGORY_TREE_COLUMNS)
            assert view is not None
            view["category_children"] = self._descendants(child, columns, scoped=True)
            out.append(view)
        return out

    def list_categories(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], int,
                                                               ListConfig]:
        config = list_config(query, default_fields=CATEGORY_FIELDS, allowed_fields=CATEGORY_FIELDS,
                             default_relations=CATEGORY_DEFAULT_RELATIONS, default_limit=100)
        if query.get("fields") is not None:
            # the category repository's own select breaks on Medusa's field list: a 500
            raise UnexpectedError("category list with fields", quirk="category-list-fields-500")
        q = query.get("q")

        def keep(c: Record) -> bool:
            if not self._in_scope(c):
                return False
            if "parent_category_id" in query and c["parent_category_id"] != query[
                    "parent_category_id"]:
                return False
            if q:
                needle = q.lower()
                return needle in c["name"].lower() or needle in c["handle"].lower()
            return "handle" not in query or c["handle"] == query["handle"]

        columns = [c for c in views.CATEGORY_COLUMNS if c in (config.select or CATEGORY_FIELDS)]
        with self.store.lock:
            rows = self.store.product_categories.find(keep)
            rows.sort(key=lambda c: (c["rank"], c["handle"]))
            count = len(rows)
            out = []
            for category in page(rows, config):
                view = views.pick(category, tuple(columns))
                assert view is not None
                if "category_children" in config.relations:
                    if query.get("include_descendants_tree"):
                        view["category_children"] = self._descendants(category, columns,
                                                                      scoped=False)
                    else:
                        view["category_children"] = [
                            views.pick(c, tuple(columns)) for c in self._children(category["id"])
                            if self._in_scope(c)]
                if "parent_category" in config.relations:
                    parent = self.store.product_categories.get(
                        category["parent_category_id"] or "")
                    view["parent_category"] = (views.pick(parent, tuple(columns))
                                               if parent and self._in_scope(parent) else None)
                if "products" in config.relations:
                    view["products"] = self._category_products(category["id"])
                out.append(view)
            return out, count, config

    def _category_products(self, category_id: str) -> list[dict[str, Any]]:
        rows = self.store.products.find(lambda p: category_id in p["category_ids"]
                                        and p.get("deleted_at") is None)
        rows.sort(key=lambda p: p["id"])
        return [views.pick(p, views.PRODUCT_COLUMNS) for p in rows]

    def retrieve_category(self, category_id: str, query: dict[str, Any]) -> dict[str, Any]:
        config = list_config(query, default_fields=CATEGORY_FIELDS, allowed_fields=CATEGORY_FIELDS,
                             default_relations=CATEGORY_DEFAULT_RELATIONS, is_list=False)
        with self.store.lock:
            category = self.store.product_categories.get(category_id)
            if category is None or not self._in_scope(category):
                raise MedusaError(ErrorType.NOT_FOUND, f"ProductCategory with id: {category_id}, "
                                  "is_internal: false, is_active: true was not found")
            # ``transformTreeNodesWithConfig`` picks the selected columns, sorted by name
            fields = sorted(config.select or CATEGORY_FIELDS)

            def node(record: Record, *, as_parent: bool) -> dict[str, Any]:
                view = views.pick(record, tuple(fields))
                assert view is not None
                if not as_parent and "category_children" in config.relations:
                    view["category_children"] = [node(c, as_parent=False)
                                                 for c in self._children(record["id"])
                                                 if self._in_scope(c)]
                return view

            view = node(category, as_parent=False)
            if "parent_category" in config.relations:
                parent = self.store.product_categories.get(category["parent_category_id"] or "")
                view["parent_category"] = (node(parent, as_parent=True)
                                           if parent and self._in_scope(parent) else None)
            if "products" in config.relations:
                view["products"] = self._category_products(category["id"])
            return view
