"""Japanese and English names for everything the annual summary shows: (日本語, English)."""

from __future__ import annotations

Label = tuple[str, str]

DONOR_KINDS: dict[str, Label] = {
    "individual": ("個人", "Individuals"),
    "company": ("企業", "Companies"),
    "farm": ("農家", "Farms"),
    "retailer": ("小売店", "Retailers"),
    "food_drive": ("フードドライブ", "Food drives"),
    "government_stockpile": ("行政の備蓄品", "Government stockpiles"),
    "other_food_bank": ("他フードバンク", "Other food banks"),
}

CHANNELS: dict[str, Label] = {
    "delivery": ("個別支援（配達）", "Individual support (delivery)"),
    "pickup": ("個別支援（受け取り）", "Individual support (pick-up)"),
    "pantry": ("フードパントリー", "Pantry days"),
    "partner": ("ちいき食堂・パートナー団体", "Cafeterias and partners"),
}

WHO_CONSULTED: dict[str, Label] = {
    "self": ("本人", "The person"),
    "family": ("家族", "Family"),
    "agency": ("関係機関", "Agencies"),
    "other": ("その他", "Other"),
}

REQUESTS: dict[str, Label] = {
    "food": ("食料", "Food"),
    "appliance": ("家電", "Appliance"),
    "both": ("食料と家電", "Food and appliance"),
}

OUTCOMES: dict[str, Label] = {
    "submitted": ("受付待ち", "Waiting"),
    "accepted": ("受理（支援中）", "Accepted"),
    "fulfilled": ("支援済み", "Fulfilled"),
    "declined": ("お断り", "Declined"),
    "expired": ("期限切れ", "Expired"),
    "withdrawn": ("取り下げ", "Withdrawn"),
}

DISPOSAL_REASONS: dict[str, Label] = {
    "expired": ("期限切れ", "Expired"),
    "damaged": ("破損", "Damaged"),
    "recalled": ("回収（リコール）", "Recalled"),
}

PARTNER_KINDS: dict[str, Label] = {
    "cafeteria": ("ちいき食堂・こども食堂", "Community cafeteria"),
    "drop_in": ("ホッとステーション", "Drop-in site"),
    "other": ("その他", "Other"),
}

PANTRY_STATUSES: dict[str, Label] = {
    "planned": ("計画中", "Planned"),
    "open": ("受付中", "Open"),
    "allocated": ("引当済み", "Allocated"),
    "in_progress": ("開催中", "In progress"),
    "closed": ("開催済み", "Held"),
}

TEXT: dict[str, Label] = {
    "title": ("年次報告", "Annual summary"),
    "period": ("期間", "Period"),
    "headline": ("主な数値", "Key figures"),
    "individual_support": ("フードバンク・物資支援（個別支援）", "Food bank: individual support"),
    "occasions": ("支援回数（延べ）", "Occasions (total)"),
    "households_total": ("世帯数（延べ）", "Households (total occurrences)"),
    "households_distinct": ("世帯数（実）", "Households (distinct)"),
    "people_total": ("人数（延べ）", "People (total occurrences)"),
    "people_distinct": ("人数（実）", "People (distinct)"),
    "pantry": ("フードパントリー", "Pantry days"),
    "days_held": ("開催回数", "Days held"),
    "people_served": ("来場者数（延べ）", "People served (total)"),
    "walk_in_parcels": ("当日来場の配布数", "Walk-in parcels"),
    "walk_in_people": ("当日来場の人数", "Walk-in people"),
    "registered_people": ("予約世帯の人数", "Registered people"),
    "partners": ("ちいき食堂・パートナー団体", "Cafeterias and partner programmes"),
    "sessions": ("開催回数（延べ）", "Sessions (total)"),
    "participants": ("参加者・食数（延べ）", "Participants or meals (total)"),
    "received": ("食品の受入", "Food received"),
    "donations": ("寄贈件数（延べ）", "Donations (total)"),
    "donors": ("寄贈者数（実）", "Donors (distinct)"),
    "units": ("点数", "Units"),
    "kg": ("重量 kg", "Weight kg"),
    "from_donors": ("寄贈者から（他フードバンクを除く）", "From donors (other food banks excluded)"),
    "from_food_banks": ("他フードバンクから", "From other food banks"),
    "donor_kind": ("寄贈者の種類", "Donor kind"),
    "category": ("分類", "Category"),
    "distributed": ("食品の配布", "Food distributed"),
    "channel": ("経路", "Channel"),
    "handouts": ("配布件数（延べ）", "Hand-outs (total)"),
    "food_loss": ("食品ロス削減量（配布 kg）", "Food loss prevented (kg distributed)"),
    "households_served": ("支援した世帯（全経路）", "Households served (all channels)"),
    "appliances": ("家電バンク", "Appliance bank"),
    "appliance_received": ("受入", "Received"),
    "appliance_delivered": ("お渡し", "Delivered"),
    "appliance_disposed": ("処分", "Disposed"),
    "appliance_recycling": ("うち家電リサイクル法", "of which recycling law"),
    "referrals": ("相談・紹介", "Referrals"),
    "referral_count": ("紹介件数", "Referrals"),
    "agency": ("紹介元機関", "Agency"),
    "who_consulted": ("相談者", "Who consulted"),
    "request": ("依頼内容", "Request"),
    "outcome": ("結果", "Outcome"),
    "disposals": ("廃棄", "Disposals"),
    "reason": ("理由", "Reason"),
    "stock": ("在庫", "Stock"),
    "opening": ("期首在庫", "Opening stock"),
    "closing": ("期末在庫", "Closing stock"),
    # The sign comes last: a cell that starts with + or - is a formula to a spreadsheet.
    "flow_received": ("受入（寄贈）(+)", "Received (donations) (+)"),
    "flow_opening_balance": ("期首残高の登録 (+)", "Opening balances entered (+)"),
    "flow_distributed": ("配布（返品差引）(−)", "Distributed (net of returns) (−)"),
    "flow_disposed": ("廃棄 (−)", "Disposed (−)"),
    "flow_adjusted": ("棚卸調整 (±)", "Adjustments (±)"),
    "month": ("月", "Month"),
    "monthly": ("月別の推移", "Month by month"),
    "total": ("合計", "Total"),
    "date": ("日付", "Date"),
    "venue": ("会場", "Venue"),
    "status": ("状況", "Status"),
    "programme": ("プログラム", "Programme"),
    "kind": ("種類", "Kind"),
    "figure": ("項目", "Figure"),
    "value": ("数値", "Value"),
    "chart_kg": ("月別の受入と配布（kg）", "Received and distributed by month (kg)"),
    "chart_people": ("月別の支援人数（延べ）", "People served by month (total)"),
    "legend_received": ("受入", "Received"),
    "legend_distributed": ("配布", "Distributed"),
    "legend_individual": ("個別支援", "Individual support"),
    "legend_pantry": ("パントリー", "Pantry"),
    "legend_partner": ("食堂・パートナー", "Cafeteria/partners"),
    "m_month": ("月", "Month"),
    "m_received_kg": ("受入 kg", "Received kg"),
    "m_donations": ("寄贈件数", "Donations"),
    "m_distributed_kg": ("配布 kg", "Distributed kg"),
    "m_occasions": ("個別支援 回数", "Individual occasions"),
    "m_households": ("個別支援 世帯（延べ）", "Individual households"),
    "m_pantry_people": ("パントリー 人数", "Pantry people"),
    "m_partner_sessions": ("食堂等 回数", "Partner sessions"),
    "m_partner_people": ("食堂等 人数", "Partner people"),
    "m_referrals": ("紹介件数", "Referrals"),
    "m_disposed_kg": ("廃棄 kg", "Disposed kg"),
    "counting_note": (
        "延べ＝のべ数（毎回数える）、実＝実数（1年に1回だけ数える）。重さは個数×品目ごとの1個の重さ。"
        "お渡しは戻った分を差し引き、全部戻ったお渡しは数えません。個別支援の1回＝同じ日・同じ方法・同じ担当者の"
        "お渡しのまとまり。当日参加の方は人数と箱の数だけを数えます。",
        "Total counts every occurrence; distinct counts each once in the year. kg = units × each item's unit "
        "weight. Hand-outs are net of returns; one that came back whole is not counted. An occasion of individual "
        "support = the hand-outs of one day, channel and member of staff. Walk-ins count as people and parcels only.",
    ),
}


def pick(label: Label, lang: str) -> str:
    return label[1] if lang == "en" else label[0]
