"""The clinic's follow-up between visits: the patient diary and its red flags (:mod:`.diary`), persistent alerts
(:mod:`.alerts`), one stored patient as a ``baclofen-timeline/1`` document (:mod:`.timeline`) and the clinic
worklist (:mod:`.worklist`). Pure: the records come in, values and findings go out; storage is the services'
ports and the adapters'.
"""
