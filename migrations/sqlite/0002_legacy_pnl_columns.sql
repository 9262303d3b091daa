-- 0002_legacy_pnl_columns: the old system's derived PnL columns, SQLite dialect.
--
-- Design "Migration Strategy" (Phase 1: keep the old columns for parallel
-- operation; Phase 3: drop them) and "Historical Corrupted Data". The old
-- system stored derived values on trade_records: parent_id, parent_ids,
-- pnl_usd, cost_basis_usd, sale_proceeds_usd, net_sale_proceeds_usd,
-- realized_profit. They are DEPRECATED: the new system never reads them for
-- computations (allocations are the only source of PnL) and never writes
-- them. Every store gets the same shape: the columns are added here, NULL
-- for every trade recorded by this system.
--
-- How a legacy database gets its values: the migration runner adopts an
-- existing trade_records table that was not created by this schema (a
-- database at schema version 0): before 0001 it renames that table to
-- legacy_trade_records (kept, untouched); right after this script, in the
-- same transaction, it copies every legacy row into the new trade_records,
-- legacy columns included (storage/sql_ledger_store.cc, AdoptLegacyTrades).
--
-- The legacy values are historical facts, as immutable as the trade facts
-- (ERRATA 9): the trigger below rejects any UPDATE that changes them. The
-- only way they change is `fifoctl legacy drop-columns` (Phase 3), which
-- backs them up into trade_records_backup_old_pnl, drops this trigger and
-- then the columns.
--
-- Decimals are TEXT in canonical notation (never REAL/NUMERIC affinity).
-- The CHECKs mention only their own column, so ALTER TABLE DROP COLUMN can
-- drop them.

ALTER TABLE trade_records ADD COLUMN parent_id TEXT;
ALTER TABLE trade_records ADD COLUMN parent_ids TEXT;
ALTER TABLE trade_records ADD COLUMN pnl_usd TEXT
    CHECK (pnl_usd IS NULL OR typeof(pnl_usd) = 'text');
ALTER TABLE trade_records ADD COLUMN cost_basis_usd TEXT
    CHECK (cost_basis_usd IS NULL OR typeof(cost_basis_usd) = 'text');
ALTER TABLE trade_records ADD COLUMN sale_proceeds_usd TEXT
    CHECK (sale_proceeds_usd IS NULL OR typeof(sale_proceeds_usd) = 'text');
ALTER TABLE trade_records ADD COLUMN net_sale_proceeds_usd TEXT
    CHECK (net_sale_proceeds_usd IS NULL OR typeof(net_sale_proceeds_usd) = 'text');
ALTER TABLE trade_records ADD COLUMN realized_profit TEXT
    CHECK (realized_profit IS NULL OR typeof(realized_profit) = 'text');

CREATE TRIGGER trade_records_legacy_immutable
BEFORE UPDATE OF parent_id, parent_ids, pnl_usd, cost_basis_usd,
    sale_proceeds_usd, net_sale_proceeds_usd, realized_profit
ON trade_records
FOR EACH ROW
WHEN NEW.parent_id IS NOT OLD.parent_id OR NEW.parent_ids IS NOT OLD.parent_ids
    OR NEW.pnl_usd IS NOT OLD.pnl_usd OR NEW.cost_basis_usd IS NOT OLD.cost_basis_usd
    OR NEW.sale_proceeds_usd IS NOT OLD.sale_proceeds_usd
    OR NEW.net_sale_proceeds_usd IS NOT OLD.net_sale_proceeds_usd
    OR NEW.realized_profit IS NOT OLD.realized_profit
BEGIN
    SELECT RAISE(ABORT, 'trade_records is immutable (ERRATA 9): the deprecated legacy PnL columns (parent_id, parent_ids, pnl_usd, cost_basis_usd, sale_proceeds_usd, net_sale_proceeds_usd, realized_profit) are frozen historical values; UPDATE is rejected (fifoctl legacy drop-columns removes them)');
END;
