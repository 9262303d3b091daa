-- 0002_legacy_pnl_columns: the old system's derived PnL columns, PostgreSQL
-- dialect.
--
-- Design "Migration Strategy" (Phase 1: keep the old columns for parallel
-- operation; Phase 3: drop them) and "Historical Corrupted Data". The old
-- system stored derived values on trade_records: parent_id, parent_ids,
-- pnl_usd, cost_basis_usd, sale_proceeds_usd, net_sale_proceeds_usd,
-- realized_profit. They are DEPRECATED: the new system never reads them for
-- computations (allocations are the only source of PnL) and never writes
-- them. Every store gets the same shape: the columns are added here
-- (IF NOT EXISTS), NULL for every trade recorded by this system.
--
-- How a legacy database gets its values: the migration runner adopts an
-- existing trade_records table that was not created by this schema (a
-- database at schema version 0): before 0001 it renames that table (and its
-- indexes) to legacy_trade_records (kept, untouched); right after this
-- script, in the same transaction, it copies every legacy row into the new
-- trade_records, legacy columns included (storage/sql_ledger_store.cc,
-- AdoptLegacyTrades).
--
-- The legacy values are historical facts, as immutable as the trade facts
-- (ERRATA 9): the trigger below rejects any UPDATE that changes them. The
-- only way they change is `fifoctl legacy drop-columns` (Phase 3), which
-- backs them up into trade_records_backup_old_pnl, drops this trigger and
-- its function, then the columns.

ALTER TABLE trade_records
    ADD COLUMN IF NOT EXISTS parent_id TEXT,
    ADD COLUMN IF NOT EXISTS parent_ids TEXT,
    ADD COLUMN IF NOT EXISTS pnl_usd NUMERIC,
    ADD COLUMN IF NOT EXISTS cost_basis_usd NUMERIC,
    ADD COLUMN IF NOT EXISTS sale_proceeds_usd NUMERIC,
    ADD COLUMN IF NOT EXISTS net_sale_proceeds_usd NUMERIC,
    ADD COLUMN IF NOT EXISTS realized_profit NUMERIC;

COMMENT ON COLUMN trade_records.parent_id IS
    'DEPRECATED legacy column (old system: the buy a sell was matched to; corrupted). Read-only; use fifo_allocations. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.parent_ids IS
    'DEPRECATED legacy column (old system: the buys a sell was matched to, as text). Read-only; use fifo_allocations. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.pnl_usd IS
    'DEPRECATED legacy column (old system: realized PnL of a sell; corrupted). Read-only; use fifo_allocations.pnl_usd. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.cost_basis_usd IS
    'DEPRECATED legacy column (old system: cost basis of a sell). Read-only; use fifo_allocations.cost_basis_usd. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.sale_proceeds_usd IS
    'DEPRECATED legacy column (old system: sale proceeds). Read-only; use fifo_allocations.proceeds_usd. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.net_sale_proceeds_usd IS
    'DEPRECATED legacy column (old system: net sale proceeds). Read-only; use fifo_allocations.net_proceeds_usd. Dropped by fifoctl legacy drop-columns.';
COMMENT ON COLUMN trade_records.realized_profit IS
    'DEPRECATED legacy column (old system: realized profit). Read-only; use fifo_allocations.pnl_usd. Dropped by fifoctl legacy drop-columns.';

CREATE FUNCTION trade_records_guard_legacy() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    col TEXT;
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN col := 'parent_id';
    ELSIF NEW.parent_ids IS DISTINCT FROM OLD.parent_ids THEN col := 'parent_ids';
    ELSIF NEW.pnl_usd::text IS DISTINCT FROM OLD.pnl_usd::text THEN col := 'pnl_usd';
    ELSIF NEW.cost_basis_usd::text IS DISTINCT FROM OLD.cost_basis_usd::text THEN col := 'cost_basis_usd';
    ELSIF NEW.sale_proceeds_usd::text IS DISTINCT FROM OLD.sale_proceeds_usd::text THEN col := 'sale_proceeds_usd';
    ELSIF NEW.net_sale_proceeds_usd::text IS DISTINCT FROM OLD.net_sale_proceeds_usd::text THEN col := 'net_sale_proceeds_usd';
    ELSIF NEW.realized_profit::text IS DISTINCT FROM OLD.realized_profit::text THEN col := 'realized_profit';
    END IF;
    IF col IS NOT NULL THEN
        RAISE EXCEPTION 'trade_records is immutable (ERRATA 9): the deprecated legacy column % of order % holds a frozen historical value; UPDATE is rejected (fifoctl legacy drop-columns removes it)', col, OLD.order_id;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trade_records_legacy_immutable
BEFORE UPDATE OF parent_id, parent_ids, pnl_usd, cost_basis_usd,
    sale_proceeds_usd, net_sale_proceeds_usd, realized_profit
ON trade_records
FOR EACH ROW EXECUTE FUNCTION trade_records_guard_legacy();
