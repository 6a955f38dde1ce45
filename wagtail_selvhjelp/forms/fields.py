"""Fields and widgets the public forms share.

A page's options (places, time slots, topics) as checkboxes read once per
form, several lists of them read in one query, and a consent checkbox that
counts as ticked only with the one value it sends.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Value
from django.utils.translation import gettext_lazy as _


class CachedChoiceIterator(forms.models.ModelChoiceIterator):
    """The field's options from its queryset's rows, fetched once per form.

    Django's iterator runs the query again (with ``.iterator()``) each time
    the options are listed; a page's few places, time slots and topics are
    read once and reused for checking, rendering and validating.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.options():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.options()) + (self.field.empty_label is not None)


class ChoiceModelMultipleField(forms.ModelMultipleChoiceField):
    """Checkboxes of a page's places, time slots or topics, shown by name.

    Declared on the form without a queryset, since the options belong to
    the page the form is made for: the form's ``__init__`` sets it. The rows
    read are kept on the field (the form's own copy of it), never in the
    queryset's result cache, which is Django's private business.
    """

    widget = forms.CheckboxSelectMultiple
    iterator = CachedChoiceIterator

    default_error_messages = {
        **forms.ModelMultipleChoiceField.default_error_messages,
        "invalid_choice": _("Choose from the options shown."),
        "invalid_pk_value": _("Choose from the options shown."),
    }

    #: Set by :class:`OptionsReadTogether`: reads these options with others.
    read_together = None
    #: The queryset the options were read from, and its rows. Setting a
    #: queryset (as ``__init__`` does, and Django on each form's own copy
    #: of the field) makes another object, whose rows are read anew.
    _read = None

    def __init__(self, queryset=None, **kwargs):
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.name

    def options(self):
        """The options shown: the queryset's rows, read once per form."""
        if not self.options_are_read() and self.read_together is not None:
            self.read_together()
        if not self.options_are_read():
            self.keep_options(list(self.queryset))
        return self._read[1]

    def options_are_read(self):
        return self._read is not None and self._read[0] is self.queryset

    def keep_options(self, rows):
        """Keep ``rows``, read from the current queryset, as the options."""
        self._read = (self.queryset, rows)

    def _check_values(self, value):
        """Accept only the ids of the options shown.

        Compared as strings against the page's few options, so that no value
        a client sends (a 20-digit number, "1e9", "-0") ever reaches a
        database query, where it could overflow the integer type. Returns
        the chosen options as a list, in the page's order.
        """
        options = {str(option.pk): option.pk for option in self.options()}
        for key in value:
            if str(key) not in options:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": key},
                )
        chosen = {str(key) for key in value}
        # The rows already read for the checkboxes, not another query.
        return [option for option in self.options() if str(option.pk) in chosen]


class OptionsReadTogether:
    """Reads the options of several ``ChoiceModelMultipleField`` in one query.

    A page's places, time slots and topics are three small tables that the
    form needs whenever it is rendered or checked; one ``UNION ALL`` reads
    them the first time any of the fields lists its options, and hands each
    field its rows, in the queryset's order (``sort_order``, then id). A
    form whose questions come from the fragment cache reads none. The lists
    of a preview, which are in memory, are left for each field to read.
    """

    def __init__(self, fields):
        self.fields = list(fields)
        for field in self.fields:
            field.read_together = self

    def __call__(self):
        fields = [field for field in self.fields if not field.options_are_read()]
        querysets = [field.queryset for field in fields]
        if not fields or not all(isinstance(qs, QuerySet) for qs in querysets):
            return
        # The columns all the tables have (a place's municipality is a
        # column of its own, which the form does not need).
        attnames = [
            [f.attname for f in qs.model._meta.concrete_fields] for qs in querysets
        ]
        common = [name for name in attnames[0] if all(name in a for a in attnames)]
        columns = [common for _qs in querysets]
        parts = [
            qs.order_by()
            .annotate(option_list=Value(index))
            .values_list("option_list", *names)
            for index, (qs, names) in enumerate(zip(querysets, columns, strict=True))
        ]
        rows = [[] for _ in querysets]
        for index, *values in parts[0].union(*parts[1:], all=True):
            qs = querysets[index]
            rows[index].append(qs.model.from_db(qs.db, columns[index], values))
        for field, options in zip(fields, rows, strict=True):
            options.sort(key=lambda o: (o.sort_order is None, o.sort_order or 0, o.pk))
            field.keep_options(options)


class FixedValueCheckboxInput(forms.CheckboxInput):
    """A checkbox that sends one fixed value and counts as ticked only with it.

    Django's own checkbox counts any non-empty value but "false" as ticked,
    so a client posting ``0``, ``off``, ``no`` or ``nei`` would be recorded as
    agreeing. This one renders ``value="yes"`` and accepts exactly that.
    """

    checked_value = "yes"

    def format_value(self, value):
        return self.checked_value

    def value_from_datadict(self, data, files, name):
        return data.get(name) == self.checked_value
